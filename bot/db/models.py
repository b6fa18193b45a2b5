"""The tables. Schema changes go through Alembic migrations in `bot/db/migrations/`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Double,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from bot.db.crypto import EncryptedJSON, EncryptedText
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
    # My own daily time, on my own clock (`timezone`, or the pair's until I set one).
    # None until paired: pairing gives each partner the default time.
    prompt_time: time | None = Field(default=None, sa_column=Column(Time(), nullable=True))
    blocked_at: datetime | None = _optional_instant()
    editing_round_id: int | None = Field(default=None)  # waiting for a replacement (/edit)
    checkin_note_id: int | None = Field(default=None)  # waiting for a check-in note
    # The step above (note or edit) lasts until then; any command ends it sooner.
    step_expires_at: datetime | None = _optional_instant()
    created_at: datetime = _required_instant()
    updated_at: datetime = _required_instant()


class Pair(SQLModel, table=True):
    """Two partners linked by an accepted invite. Ended pairs stay for history."""

    # The tick's claims read only the due end of these, already in claim order (status
    # first, or SQLite picks the status index and sorts every active pair each tick; id
    # last, or PostgreSQL sorts every due pair for each batch of the fan-out).
    __table_args__ = (
        Index("ix_pair_due_prompt", "status", "next_prompt_at", "id"),
        Index("ix_pair_due_checkin", "status", "next_checkin_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    partner_a_id: int = _person_fk(index=True)
    partner_b_id: int = _person_fk(index=True)
    status: str = Field(default="active", max_length=16)
    created_at: datetime = _required_instant()
    ended_at: datetime | None = _optional_instant()
    ended_by_id: int | None = _person_fk(nullable=True)
    # Each partner has their own daily time (Person.prompt_time, in their own zone); the
    # tick creates the pair's shared round at `next_prompt_at`, the earlier partner's time.
    # `timezone` is the zone of a partner who has not said theirs; `prompt_time` is the
    # time a partner starts with.
    timezone: str = Field(default="UTC", max_length=64, sa_column_kwargs={"server_default": "UTC"})
    prompt_time: time = Field(sa_column=Column(Time(), nullable=False))
    time_set_by_id: int | None = _person_fk(nullable=True)
    next_prompt_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )
    paused_until: datetime | None = _optional_instant()
    pause_reason: str | None = Field(default=None, max_length=16)
    paused_by_id: int | None = _person_fk(nullable=True)
    reminders_enabled: bool = Field(
        default=True, sa_column=Column(Boolean, nullable=False, server_default=text("true"))
    )
    # Check-ins: a cadence (weekly, biweekly, monthly or off) on a weekday (0 = Monday)
    # at the pair's delivery time, claimed by the same tick as the daily rounds.
    checkin_cadence: str = Field(
        default="weekly", max_length=16, sa_column_kwargs={"server_default": "weekly"}
    )
    checkin_weekday: int = Field(default=6, sa_column_kwargs={"server_default": "6"})
    next_checkin_at: datetime | None = Field(
        default=None, sa_column=Column(UTCDateTime(), nullable=True)
    )


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
        Index("ix_outbox_due", "status", "priority", "not_before", "id"),
        Index("ix_outbox_sent_message", "recipient_id", "telegram_message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Indexed through ix_outbox_sent_message, whose first column it is.
    recipient_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    kind: str = Field(max_length=40)
    dedupe_key: str = Field(max_length=160, unique=True)
    params: dict[str, Any] = Field(
        default_factory=dict,
        sa_column=Column(EncryptedJSON(), nullable=False, server_default=text("'{}'")),
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


def _json_list() -> Any:
    # Outside the class: inside PromptRecord, `text` names the column, not sqlalchemy's text().
    return Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default=text("'[]'"))
    )


class DeckRecord(SQLModel, table=True):
    """A question deck as last synced from `prompts/`. Never deleted: removed decks retire."""

    __tablename__ = "deck"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    title: str = Field(max_length=200)
    description: str = Field(sa_column=Column(Text, nullable=False))
    kind: str = Field(max_length=16)
    language: str = Field(max_length=16)
    retired_at: datetime | None = _optional_instant()
    updated_at: datetime = _required_instant()


class PromptRecord(SQLModel, table=True):
    """A question as last synced from `prompts/`, by its permanent id.

    Never deleted (rounds and statistics point at it): a prompt removed from the files gets
    `retired_at`, and loses it again if the id comes back.
    """

    __tablename__ = "prompt"

    id: str = Field(sa_column=Column(String(64), primary_key=True))
    deck_id: str = Field(foreign_key="deck.id", max_length=64, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    depth: int
    tags: list[str] = _json_list()
    kind: str = Field(max_length=16)
    language: str = Field(max_length=16)
    retired_at: datetime | None = _optional_instant()
    created_at: datetime = _required_instant()
    updated_at: datetime = _required_instant()


class PairTopic(SQLModel, table=True):
    """A pair's choice for one daily deck (`/topics`). No row means the deck is on."""

    __tablename__ = "pair_topic"

    pair_id: int = Field(foreign_key="pair.id", primary_key=True)
    deck_id: str = Field(foreign_key="deck.id", primary_key=True, max_length=64)
    enabled: bool = Field(sa_column=Column(Boolean, nullable=False))


class PairStage(SQLModel, table=True):
    """A relationship stage a pair chose in `/topics` (new, long-distance, ...); a row per
    stage, none means "not said". Prompts with `for:` go only to pairs in one of theirs."""

    __tablename__ = "pair_stage"

    pair_id: int = Field(foreign_key="pair.id", primary_key=True)
    stage: str = Field(primary_key=True, max_length=32)


class Round(SQLModel, table=True):
    """One day's question for one pair. Unique per (pair, local date): a repeated tick
    cannot make a second one. The answered-at slots decide the reveal under a row lock."""

    __tablename__ = "round"
    __table_args__ = (
        UniqueConstraint("pair_id", "local_date"),
        Index("ix_round_status_closes_at", "status", "closes_at"),
        Index("ix_round_status_reminder_at", "status", "reminder_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Indexed as the first column of the (pair_id, local_date) unique constraint.
    pair_id: int = Field(foreign_key="pair.id")
    local_date: date = Field(sa_column=Column(Date(), nullable=False))
    prompt_id: str = Field(foreign_key="prompt.id", max_length=64, index=True)
    skipped_prompt_id: str | None = Field(default=None, foreign_key="prompt.id", max_length=64)
    status: str = Field(default="open", max_length=16)
    created_at: datetime = _required_instant()
    closes_at: datetime = _required_instant()
    # The earliest reminder still to go (claimed by the tick), and each partner's own.
    reminder_at: datetime | None = _optional_instant()
    a_reminder_at: datetime | None = _optional_instant()
    b_reminder_at: datetime | None = _optional_instant()
    reminded_at: datetime | None = _optional_instant()
    a_answered_at: datetime | None = _optional_instant()
    b_answered_at: datetime | None = _optional_instant()
    revealed_at: datetime | None = _optional_instant()
    streak: int = Field(default=0)


class Answer(SQLModel, table=True):
    """A partner's answer to a round: text, or a media message we show with copyMessage."""

    __table_args__ = (
        UniqueConstraint("round_id", "person_id"),
        Index("ix_answer_chat_message", "chat_id", "message_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    round_id: int = Field(foreign_key="round.id", index=True)
    person_id: int = _person_fk()
    kind: str = Field(max_length=16)
    body: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))
    file_id: str | None = Field(default=None, max_length=256)
    chat_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    message_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    length: int = Field(default=0)
    created_at: datetime = _required_instant()
    updated_at: datetime = _required_instant()


class CheckIn(SQLModel, table=True):
    """A check-in: each partner rates how connected they feel (1-5) and may add a note.
    Nothing is shown until both are done; the done-at slots decide the reveal under the
    row lock, as for rounds."""

    __tablename__ = "checkin"
    __table_args__ = (
        UniqueConstraint("pair_id", "local_date"),
        Index("ix_checkin_status_closes_at", "status", "closes_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    pair_id: int = Field(foreign_key="pair.id", index=True)
    local_date: date = Field(sa_column=Column(Date(), nullable=False))
    status: str = Field(default="open", max_length=16)
    created_at: datetime = _required_instant()
    closes_at: datetime = _required_instant()
    a_rating: int | None = Field(default=None)
    b_rating: int | None = Field(default=None)
    a_note: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))
    b_note: str | None = Field(default=None, sa_column=Column(EncryptedText(), nullable=True))
    a_done_at: datetime | None = _optional_instant()
    b_done_at: datetime | None = _optional_instant()
    revealed_at: datetime | None = _optional_instant()
    follow_up: str | None = Field(default=None, max_length=40)
    prompt_id: str | None = Field(default=None, foreign_key="prompt.id", max_length=64)


class ReconnectReminder(SQLModel, table=True):
    """A reconnect conversation a couple scheduled after a check-in: both are reminded."""

    __tablename__ = "reconnect_reminder"

    id: int | None = Field(default=None, primary_key=True)
    checkin_id: int = Field(foreign_key="checkin.id", index=True)
    pair_id: int = Field(foreign_key="pair.id")
    due_at: datetime = Field(sa_column=Column(UTCDateTime(), nullable=False, index=True))
    sent_at: datetime | None = _optional_instant()


class HeldMessage(SQLModel, table=True):
    """A message whose destination the bot asked about with buttons: kept until a button
    is tapped (then it goes where the person chose) or it is pruned after a day."""

    __tablename__ = "held_message"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = _person_fk(index=True)
    pair_id: int = Field(foreign_key="pair.id")
    # The message as plain values (kind, body, file id, chat and message ids): words a
    # person wrote, so encrypted at rest like answers.
    payload: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(EncryptedJSON(), nullable=False)
    )
    created_at: datetime = _required_instant()


class InboxUpdate(SQLModel, table=True):
    """A webhook update, stored before Telegram gets its 200 (so nothing is lost after it).

    Keyed by Telegram's update_id: a retried delivery inserts nothing. A worker claims
    pending rows (one at a time per chat, in update_id order), hands them to the handlers
    and marks them done; a crashed worker's claim runs out and another replica takes it.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        Index("ix_inbox_status_update", "status", "update_id"),
        Index("ix_inbox_chat_update", "chat_key", "update_id"),
    )

    update_id: int = Field(sa_column=Column(BigInteger, primary_key=True, autoincrement=False))
    chat_key: int = Field(sa_column=Column(BigInteger, nullable=False))
    # Updates carry answer texts, so they are encrypted at rest like answers are.
    payload: dict[str, Any] = Field(
        default_factory=dict, sa_column=Column(EncryptedJSON(), nullable=False)
    )
    status: str = Field(default="pending", max_length=16)
    attempts: int = Field(default=0)
    received_at: datetime = _required_instant()
    claimed_until: datetime | None = _optional_instant()
    processed_at: datetime | None = _optional_instant()
    # Set when failed, for `hearth inbox failed`: the update's kind and why (no content).
    kind: str | None = Field(default=None, max_length=32)
    reason: str | None = Field(default=None, max_length=120)


class SendBudget(SQLModel, table=True):
    """Telegram's send limits shared by every replica (PostgreSQL): one row for all chats
    (`scope` "all") and one a chat ("chat:<id>"). `tat` is the theoretical arrival time
    of the next message (GCRA), in the database clock's epoch seconds."""

    __tablename__ = "send_budget"

    scope: str = Field(sa_column=Column(String(40), primary_key=True))
    tat: float = Field(sa_column=Column(Double(), nullable=False))
