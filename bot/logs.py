"""Logging set-up. Secrets never reach a log line: the token (and any other secret) is
redacted from the whole formatted line, tracebacks included, and so is anything that
looks like a Bot API URL's `/bot<token>/` part. The HTTP client's per-request lines
(which carry the token in the URL) are quiet as well.

People's words and names never reach a line above DEBUG, whichever library logs it: at
the root handler, a record's arguments that are not plain values (an update's JSON, a
PTB object, SQL parameters) are shown as their type only, and the values of text,
caption and name fields are cut out of the whole line, tracebacks included. A message
that repeats (WARNING and above) is written at most once per logger, message and error
kind every 10 s, with a count of the ones left out, so an error loop cannot fill a disk.

`LOG_FORMAT=json` writes one JSON object a line: time, level, logger, message, and any
extras passed with `extra=`.
"""

from __future__ import annotations

import copy
import json
import logging
import re
import sys
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import PurePath
from typing import IO, Any

_BOT_URL = re.compile(r"/bot\d+:[A-Za-z0-9_-]+")
_STANDARD_ATTRIBUTES = frozenset(
    vars(logging.LogRecord("x", logging.INFO, "x", 0, "x", None, None)).keys()
) | {"message", "asctime", "color_message", "taskName"}
NOISY_LOGGERS = (
    "httpx",
    "httpcore",
    "apscheduler",
    "aiosqlite",
    "asyncio",
    "uvicorn.access",
    "telegram.ext.Updater",
)


# Fields of the Bot API (and of PTB's reprs) that hold people's words or names.
_PRIVATE_FIELDS = (
    "text|caption|first_name|last_name|username|title|question|explanation|quote|bio"
    "|description|query|address|phone_number|vcard|business_intro|sticker_set_name"
)
_QUOTED = "|".join(
    (
        r"'(?:\\.|[^'\\])*'",  # 'single', as Python reprs quote
        r'"(?:\\.|[^"\\])*"',  # "double", as JSON quotes
        r'\\"(?:(?!\\").)*\\"',  # \"escaped\", JSON inside a JSON string
    )
)
_PRIVATE_VALUE = re.compile(
    rf"""(?P<key>\b(?:{_PRIVATE_FIELDS})\b(?:\\?['"])?\s*[:=]\s*)(?:{_QUOTED})"""
)
_PLAIN_ARGUMENTS = (str, int, float, bool, type(None), date, timedelta, Enum, PurePath)
# Libraries whose objects carry people's updates, messages, profiles or stored words whole
_WORD_CARRIERS = frozenset({"telegram", "sqlalchemy"})  # (SQLAlchemy: statement parameters)


def redact(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "<redacted>")
    return _BOT_URL.sub("/bot<redacted>", text)


def scrub_private(text: str) -> str:
    """`text` with the values of text, caption and name fields cut out."""
    return _PRIVATE_VALUE.sub(r"\g<key><private>", text)


def _plain_argument(value: object) -> object:
    """A log argument as it may be shown above DEBUG: a payload (a container, or one of
    python-telegram-bot's objects) as its type only, since its text holds people's words;
    any other object (an error, a migration step) as its text, scrubbed."""
    if isinstance(value, _PLAIN_ARGUMENTS):
        return value
    if isinstance(value, BaseException):
        return f"{type(value).__name__}: {scrub_private(str(value))}"
    if isinstance(value, list | tuple | dict | set):
        return f"<{type(value).__name__} of {len(value)}>"
    if type(value).__module__.split(".")[0] in _WORD_CARRIERS:
        return f"<{type(value).__name__}>"
    return scrub_private(str(value))


def without_private_words(record: logging.LogRecord) -> logging.LogRecord:
    """A copy of `record` fit to write above DEBUG (the record itself is left alone)."""
    safe = copy.copy(record)
    args = record.args
    if isinstance(args, tuple):
        safe.args = tuple(_plain_argument(arg) for arg in args)
    elif isinstance(args, dict):  # logging's `log("%(x)s", {"x": ...})` form
        safe.args = {key: _plain_argument(value) for key, value in args.items()}
    if not isinstance(record.msg, str):
        safe.msg = _plain_argument(record.msg)
    return safe


class RepeatLimiter(logging.Filter):
    """At most one WARNING+ line per logger, message and error kind every `interval`
    seconds; the next one written says how many were left out."""

    def __init__(self, interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self._interval = interval
        self._clock = clock
        self._windows: dict[tuple[str, str, str], tuple[float, int]] = {}

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno < logging.WARNING:
            return True
        error = record.exc_info[0].__name__ if record.exc_info and record.exc_info[0] else ""
        key = (record.name, str(record.msg), error)
        now = self._clock()
        started, left_out = self._windows.get(key, (float("-inf"), 0))
        if now - started < self._interval:
            self._windows[key] = (started, left_out + 1)
            return False
        if len(self._windows) > 1000:  # message templates are few; bound it anyway
            self._windows.clear()
        self._windows[key] = (now, 0)
        if left_out:
            record.msg = (
                f"{record.msg} [{left_out} more like this in the last {self._interval:g} s]"
            )
        return True


class RedactSecrets(logging.Filter):
    """Kept for callers that attach it to their own handlers: redacts the message."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [secret for secret in secrets if secret]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message, self._secrets)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, extras."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD_ATTRIBUTES and not key.startswith("_"):
                entry[key] = value if _is_plain(value) else repr(value)
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def _is_plain(value: object) -> bool:
    return value is None or isinstance(value, str | int | float | bool | list | dict)


class RedactingFormatter(logging.Formatter):
    """Wraps a formatter: redacts every secret from the finished line, and above DEBUG
    people's words and names as well."""

    def __init__(self, inner: logging.Formatter, secrets: list[str]) -> None:
        super().__init__()
        self._inner = inner
        self._secrets = [secret for secret in secrets if secret]

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno <= logging.DEBUG:
            return redact(self._inner.format(record), self._secrets)
        line = self._inner.format(without_private_words(record))
        return redact(scrub_private(line), self._secrets)


def make_handler(
    secrets: list[str], log_format: str = "text", stream: IO[str] | None = None
) -> logging.Handler:
    handler = logging.StreamHandler(stream if stream is not None else sys.stderr)
    inner = (
        JsonFormatter()
        if log_format == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    handler.setFormatter(RedactingFormatter(inner, secrets))
    handler.addFilter(RepeatLimiter())
    return handler


def configure_logging(
    level: str, secrets: list[str], log_format: str = "text", stream: IO[str] | None = None
) -> None:
    root = logging.getLogger()
    root.handlers[:] = [make_handler(secrets, log_format, stream)]
    root.setLevel(level)
    for noisy in NOISY_LOGGERS:
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
