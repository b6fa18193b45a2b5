"""Settings, read from the environment and `.env` (pydantic-settings).

Every setting has a one-line entry in `.env.example`; a test keeps the two in step.
"""

from __future__ import annotations

import os
import re
from datetime import time
from pathlib import Path
from typing import Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cryptography.fernet import Fernet
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.kernel.text_input import ascii_number

_TOKEN_SHAPE = re.compile(r"^[0-9]+:[A-Za-z0-9_-]{10,}$")
_WEBHOOK_SECRET_SHAPE = re.compile(r"^[A-Za-z0-9_-]{1,256}$")


def check_database_url(value: str) -> str:
    if not value.startswith(("sqlite+aiosqlite://", "postgresql+asyncpg://")):
        raise ValueError("must start with sqlite+aiosqlite:// or postgresql+asyncpg://")
    return value


def check_keys(value: SecretStr) -> SecretStr:
    for key in _split(value):
        try:
            Fernet(key.encode())
        except ValueError:
            raise ValueError(
                "is not a Fernet key (32 url-safe base64 bytes; make one with `hearth newkey`)"
            ) from None
    return value


def check_log_format(value: str) -> str:
    if value.lower() not in {"text", "json"}:
        raise ValueError("must be text or json")
    return value.lower()


def check_log_level(value: str) -> str:
    level = value.upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
    return level


def _split(value: SecretStr) -> list[str]:
    return [part.strip() for part in value.get_secret_value().split(",") if part.strip()]


def cipher_keys(current: SecretStr, old: SecretStr) -> tuple[str | None, list[str]]:
    """The key that writes (None: store plain text) and the older ones that still read."""
    keys = _split(current)
    return (keys[0] if keys else None), keys[1:] + _split(old)


class Settings(BaseSettings):
    """Everything an operator can set. Names are the environment variable names."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,  # NAME= means the default (compose passes unset names so)
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
        default=2, ge=0.5, le=12, description="Hours after the question before one reminder."
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
    encryption_key: SecretStr = Field(
        default=SecretStr(""),
        description="Fernet key that encrypts answer texts and check-in notes (empty: off).",
    )
    encryption_old_keys: SecretStr = Field(
        default=SecretStr(""),
        description="Comma-separated earlier keys, still used to read (key rotation).",
    )

    # --- running modes, health and logs (webhook, HTTP_PORT, LOG_FORMAT) -------------
    webhook_url: str = Field(
        default="",
        description="Public HTTPS URL Telegram posts updates to (empty: long polling).",
    )
    webhook_secret: SecretStr = Field(
        default=SecretStr(""),
        validate_default=True,
        description="Secret Telegram sends with every webhook request; required with WEBHOOK_URL.",
    )
    webhook_listen: str = Field(
        default="0.0.0.0",  # noqa: S104 (a container listens on every interface)
        description="Address the HTTP server (webhook, health, metrics) binds to.",
    )
    http_port: int = Field(
        default=8080,
        ge=0,
        le=65535,
        description="Port of /healthz, /readyz, /metrics and the webhook (0: any free port).",
    )
    log_format: str = Field(default="text", description="text, or json for one object a line.")

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
            if not all(ascii_number(part.removeprefix("-"), 20) is not None for part in parts):
                raise ValueError("must be comma-separated numeric Telegram user ids")
            return frozenset(int(part) for part in parts)
        return value

    @field_validator("encryption_key", "encryption_old_keys")
    @classmethod
    def _keys(cls, value: SecretStr) -> SecretStr:
        return check_keys(value)

    @property
    def cipher_keys(self) -> tuple[str | None, list[str]]:
        return cipher_keys(self.encryption_key, self.encryption_old_keys)

    @field_validator("webhook_url")
    @classmethod
    def _webhook_url(cls, value: str) -> str:
        if value and not value.startswith(("http://", "https://")):
            raise ValueError("must start with https:// (or http:// for a local test)")
        return value

    @field_validator("webhook_secret")
    @classmethod
    def _webhook_secret(cls, value: SecretStr, info: ValidationInfo) -> SecretStr:
        secret = value.get_secret_value()
        if info.data.get("webhook_url") and not secret:
            raise ValueError("is required when WEBHOOK_URL is set")
        if secret and not _WEBHOOK_SECRET_SHAPE.match(secret):
            raise ValueError("must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
        return value

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        return check_log_format(value)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        return check_log_level(value)

    @property
    def bot_base_url(self) -> str:
        return f"{self.telegram_api_url}/bot"

    @property
    def bot_base_file_url(self) -> str:
        return f"{self.telegram_api_url}/file/bot"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line naming it."""


def check_database_path(database_url: str) -> None:
    """A SQLite file must be writable (and its folder, for the journal); else one line.

    Creates the folder if it is missing, as the engine would. PostgreSQL: nothing to check.
    """
    prefix = "sqlite+aiosqlite:///"
    if not database_url.startswith(prefix):
        return
    name = database_url.removeprefix(prefix).split("?", 1)[0]
    if name in ("", ":memory:"):
        return
    path = Path(name).resolve()  # through links: the image's /app/data is /data
    folder = path.parent
    if folder.exists() and not folder.is_dir():
        raise SettingsError(_unwritable(path, folder, "not a folder"))
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise SettingsError(_unwritable(path, folder, error.strerror)) from None
    for place in (folder, path):
        if place.exists() and not os.access(place, os.W_OK):
            raise SettingsError(_unwritable(path, place, "permission denied"))


def _unwritable(path: Path, place: Path, reason: str | None) -> str:
    owner = ""
    try:
        info = place.stat()
        owner = f"; {place} belongs to uid {info.st_uid}, Hearth runs as uid {os.getuid()}"
    except OSError:
        pass
    return f"setting DATABASE_URL is invalid: cannot write {path} ({reason}{owner})"


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
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,  # NAME= means the default (compose passes unset names so)
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


class KeySettings(CuratorSettings):
    """What `hearth reencrypt` needs: the database and the keys, no bot token."""

    encryption_key: SecretStr = Settings.model_fields["encryption_key"].default
    encryption_old_keys: SecretStr = Settings.model_fields["encryption_old_keys"].default

    @field_validator("encryption_key", "encryption_old_keys")
    @classmethod
    def _keys(cls, value: SecretStr) -> SecretStr:
        return check_keys(value)

    @property
    def cipher_keys(self) -> tuple[str | None, list[str]]:
        return cipher_keys(self.encryption_key, self.encryption_old_keys)


def load_key_settings(**overrides: object) -> KeySettings:
    try:
        return KeySettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None


class MigrateSettings(CuratorSettings):
    """What `hearth migrate` needs: the database and how to log, no bot token (an operator
    migrates before the bot first starts, from any installed copy)."""

    log_level: str = Settings.model_fields["log_level"].default
    log_format: str = Settings.model_fields["log_format"].default

    @field_validator("log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        return check_log_format(value)

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        return check_log_level(value)


def load_migrate_settings(**overrides: object) -> MigrateSettings:
    try:
        return MigrateSettings(**overrides)  # type: ignore[arg-type]
    except ValidationError as error:
        raise SettingsError(describe_validation_error(error)) from None
