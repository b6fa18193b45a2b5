"""Optional encryption at rest for partners' words: answer texts, check-in notes and the
outbox params that carry them to the reveal.

The columns use the types below; they encrypt on the way in and decrypt on the way out,
so repositories and services see plain values. The keys belong to one engine (each
`Hearth` and each CLI run has its own), installed with `install_cipher`. Values stored
before encryption was turned on stay readable; `hearth reencrypt` moves every value to
the current key (or back to plain text when only old keys are given).

Encryption is Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`); MultiFernet
reads with any configured key and writes with the first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from sqlalchemy import JSON, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.types import TypeDecorator

PREFIX = "fernet:"  # marks an encrypted value; anything else is plain text
_JSON_KEY = "fernet"  # an encrypted JSON value is stored as {"fernet": "<token>"}
_DIALECT_ATTRIBUTE = "hearth_cipher"


class KeyMissing(Exception):
    """An encrypted value was read without a key that opens it."""


def new_key() -> str:
    return Fernet.generate_key().decode()


class Cipher:
    """Writes with `current` (plain text when None); reads with `current` and `old`."""

    def __init__(self, current: str | None, old: Sequence[str] = ()) -> None:
        self.enabled = bool(current)
        keys = [key for key in (current, *old) if key]
        self._readers = MultiFernet([Fernet(key.encode()) for key in keys]) if keys else None
        self._writer = Fernet(current.encode()) if current else None

    def encrypt(self, value: str) -> str:
        if self._writer is None:
            return value
        return PREFIX + self._writer.encrypt(value.encode()).decode()

    def decrypt(self, value: str) -> str:
        if not value.startswith(PREFIX):
            return value
        if self._readers is None:
            raise KeyMissing("an encrypted value needs ENCRYPTION_KEY (or ENCRYPTION_OLD_KEYS)")
        try:
            return self._readers.decrypt(value.removeprefix(PREFIX).encode()).decode()
        except InvalidToken:
            raise KeyMissing(
                "a stored value was encrypted with a key that is in neither ENCRYPTION_KEY "
                "nor ENCRYPTION_OLD_KEYS"
            ) from None


PLAIN = Cipher(None)


def install_cipher(engine: AsyncEngine, cipher: Cipher) -> None:
    """Give this engine its keys (the columns below find them through its dialect)."""
    setattr(engine.dialect, _DIALECT_ATTRIBUTE, cipher)


def _cipher(dialect: Dialect) -> Cipher:
    cipher = getattr(dialect, _DIALECT_ATTRIBUTE, PLAIN)
    assert isinstance(cipher, Cipher)
    return cipher


class EncryptedText(TypeDecorator[str]):
    """Text, encrypted when the engine has a current key."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else _cipher(dialect).encrypt(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> str | None:
        return None if value is None else _cipher(dialect).decrypt(str(value))


class EncryptedJSON(TypeDecorator[dict[str, Any]]):
    """A JSON object, stored as {"fernet": token} when the engine has a current key."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        cipher = _cipher(dialect)
        if value is None or not cipher.enabled:
            return value
        return {_JSON_KEY: cipher.encrypt(json.dumps(value, ensure_ascii=False))}

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, dict) and set(value) == {_JSON_KEY}:
            return json.loads(_cipher(dialect).decrypt(str(value[_JSON_KEY])))
        return value
