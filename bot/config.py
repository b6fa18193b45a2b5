"""Settings, read from the environment and `.env` (pydantic-settings).

Every setting has a one-line entry in `.env.example`; a test keeps the two in step.
"""

from __future__ import annotations

import re
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

_TOKEN_SHAPE = re.compile(r"^\d+:[A-Za-z0-9_-]{10,}$")


def check_database_url(value: str) -> str:
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    return value


class Settings(BaseSettings):
    """Everything an operator can set. Names are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    telegram_bot_token: SecretStr = Field(
        description="Bot token from @BotFather (secret, never logged)."
    )
    telegram_api_url: str = Field(
        default="https://api.telegram.org",
        description="Root of the Bot API; point it at a local Bot API server or the sandbox.",
    )
    database_url: str = Field(
        default="sqlite+aiosqlite:///data/hearth.db",
        description="SQLAlchemy URL: sqlite+aiosqlite:///path or postgresql+asyncpg://...",
    )
    default_timezone: str = Field(
        default="UTC", description="IANA zone for new pairs until they set their own."
    )
    default_prompt_time: time = Field(
        default=time(20, 0), description="Local time of the daily question for new pairs (HH:MM)."
    )
    invite_ttl_hours: int = Field(
        default=48, ge=1, le=24 * 30, description="Hours an invite link stays valid."
    )
    admin_user_ids: Annotated[frozenset[int], NoDecode] = Field(
        default=frozenset(),
        description="Comma-separated Telegram user ids allowed to use admin commands.",
    )
    log_level: str = Field(default="INFO", description="DEBUG, INFO, WARNING or ERROR.")
    prompts_dir: Path = Field(
        default=Path("prompts"), description="Folder holding the question decks (YAML)."
    )
    round_open_days: int = Field(
        default=7, ge=1, le=60, description="Days a daily question stays open for answers."
    )
    reminder_after_hours: float = Field(
        default=3, ge=0.5, le=72, description="Hours after the question before one reminder."
    )
    support_url: str = Field(
        default="", description="Link to professional support offered after low check-ins."
    )
    support_text: str = Field(
        default="", description="A sentence naming that support (e.g. your practice's name)."
    )
    tick_seconds: float = Field(
        default=5, gt=0, le=300, description="Seconds between scheduler ticks."
    )

    @field_validator("telegram_bot_token")
    @classmethod
    def _token_shape(cls, value: SecretStr) -> SecretStr:
        if not _TOKEN_SHAPE.match(value.get_secret_value()):
            raise ValueError("does not look like a bot token (digits:letters from @BotFather)")
        return value

    @field_validator("telegram_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must start with http:// or https://")
        return value.rstrip("/")

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)

    @field_validator("default_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from error
        return value

    @field_validator("admin_user_ids", mode="before")
    @classmethod
    def _admin_ids(cls, value: object) -> object:
        if isinstance(value, str):
            parts = [part.strip() for part in value.split(",") if part.strip()]
            if not all(part.lstrip("-").isdigit() for part in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @property
    def bot_base_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_base_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one clear line."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


def describe_validation_error(error: ValidationError) -> str:
    first = error.errors()[0]
    name = str(first["loc"][0]).upper() if first["loc"] else "settings"
    if first["type"] == "missing":
        return f"setting {name} is missing: set it in the environment or in .env"
    reason = str(first["msg"]).removeprefix("Value error, ")
    return f"setting {name} is invalid: {reason}"


class CuratorSettings(BaseSettings):
    """What the `hearth prompts` commands need: no bot token, so curators can run them.

    The same environment variables and `.env` as `Settings`.
    """

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    database_url: str = Settings.model_fields["database_url"].default
    prompts_dir: Path = Settings.model_fields["prompts_dir"].default

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        return check_database_url(value)


def load_curator_settings(**overrides: object) -> CuratorSettings:
    try:
        return CuratorSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
