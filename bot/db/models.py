"""The tables. Schema changes go through Alembic migrations in `migrations/`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, MetaData, String, text
from sqlmodel import Field, SQLModel

from bot.db.types import UTCDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
SQLModel.metadata = MetaData(naming_convention=NAMING_CONVENTION)
metadata = SQLModel.metadata


def _optional_instant() -> Any:
    return Field(default=None, sa_column=Column(UTCDateTime(), nullable=True))


def _required_instant() -> Any:
    return Field(sa_column=Column(UTCDateTime(), nullable=False))


def _person_fk(*, nullable: bool = False, index: bool = False) -> Any:
    return Field(
        default=None,
        sa_column=Column(BigInteger, ForeignKey("person.id"), nullable=nullable, index=index),
    )


class Person(SQLModel, table=True):
    """Someone who has written to the bot. The id is their Telegram user id and chat id."""

    id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    first_name: str = Field(max_length=256)
    last_name: str | None = Field(default=None, max_length=256)
    username: str | None = Field(default=None, max_length=64)
    language_code: str | None = Field(default=None, max_length=16)
    timezone: str | None = Field(default=None, max_length=64)
    blocked_at: datetime | None = _optional_instant()
    created_at: datetime = _required_instant()
    updated_at: datetime = _required_instant()


class Pair(SQLModel, table=True):
    """Two partners linked by an accepted invite. Ended pairs stay for history."""

    id: int | None = Field(default=None, primary_key=True)
    partner_a_id: int = _person_fk(index=True)
    partner_b_id: int = _person_fk(index=True)
    status: str = Field(default="active", max_length=16, index=True)
    created_at: datetime = _required_instant()
    ended_at: datetime | None = _optional_instant()
    ended_by_id: int | None = _person_fk(nullable=True)


class ActivePartner(SQLModel, table=True):
    """One row per person in an active pair: the primary key makes a second pair impossible."""

    __tablename__ = "active_partner"

    person_id: int = Field(sa_column=Column(BigInteger, ForeignKey("person.id"), primary_key=True))
    pair_id: int = Field(foreign_key="pair.id", index=True)


class Invite(SQLModel, table=True):
    """A private invite link. Only the SHA-256 of its token is stored."""

    id: int | None = Field(default=None, primary_key=True)
    inviter_id: int = _person_fk(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = _required_instant()
    expires_at: datetime = _required_instant()
    used_by_id: int | None = _person_fk(nullable=True)
    used_at: datetime | None = _optional_instant()
    pair_id: int | None = Field(default=None, foreign_key="pair.id")


class OutboxMessage(SQLModel, table=True):
    """A message to send, written in the same transaction as the change that causes it.

    `dedupe_key` names (subject, recipient, kind): the unique constraint makes a repeated
    transaction unable to queue the same message twice.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        Index(
            "ix_outbox_due",
            "status",
            "priority",
            "not_before",
            "id",
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    recipient_id: int = Field(sa_column=Column(BigInteger, nullable=False, index=True))
    kind: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=160, unique=True)
    params: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False, server_default=text("'{}'"))
    )
    priority: int = Field(default=10)
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    not_before: datetime = _required_instant()
    claimed_until: datetime | None = _optional_instant()
    created_at: datetime = _required_instant()
    sent_at: datetime | None = _optional_instant()
    telegram_message_id: int | None = Field(default=None, sa_column=Column(BigInteger))
    last_error: str | None = Field(default=None, sa_column=Column(String(200)))
