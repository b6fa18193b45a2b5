"""Bot API request parameters, from any of the encodings Telegram accepts.

Telegram takes parameters as a query string, as application/x-www-form-urlencoded, as
multipart/form-data (the only way to upload a file) or as a JSON object. In the first three,
every value is a string and nested objects (reply_markup, entities, ...) are JSON text; this
module turns all four into one `Params` with those fields decoded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import HTTP
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request

from sandbox.errors import ApiError, bad_request

# Fields whose values are JSON objects or arrays when they arrive as strings.
JSON_FIELDS = frozenset(
    {
        "reply_markup",
        "entities",
        "caption_entities",
        "allowed_updates",
        "reply_parameters",
        "link_preview_options",
        "commands",
        "scope",
        "media",
    }
)
INT_FIELDS = frozenset(
    {
        "chat_id",
        "from_chat_id",
        "message_id",
        "message_thread_id",
        "reply_to_message_id",
        "offset",
        "limit",
        "max_connections",
        "cache_time",
        "duration",
        "width",
        "height",
        "length",
    }
)
BOOL_FIELDS = frozenset(
    {
        "disable_notification",
        "protect_content",
        "show_alert",
        "drop_pending_updates",
        "disable_web_page_preview",
        "allow_sending_without_reply",
        "has_spoiler",
        "show_caption_above_media",
    }
)


@dataclass(frozen=True)
class UploadedFile:
    """A file sent in a multipart request."""

    filename: str
    content: bytes
    content_type: str | None = None


class Params:
    """One request's parameters, with accessors that fail the way Telegram fails."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    @classmethod
    def from_wire(cls, values: dict[str, Any]) -> Params:
        return cls({name: _normalise(name, value) for name, value in values.items()})

    def __contains__(self, name: str) -> bool:
        return self.values.get(name) is not None

    def optional_str(self, name: str) -> str | None:
        value = self.values.get(name)
        if value is None:
            return None
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, str | int | float):
            return str(value)
        raise bad_request(f'field "{name}" must be of type String')

    def optional_int(self, name: str) -> int | None:
        value = self.values.get(name)
        if value is None or value == "":
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            raise bad_request(f"invalid {name} specified")
        return value

    def int_or(self, name: str, default: int) -> int:
        value = self.optional_int(name)
        return default if value is None else value

    def number_or(self, name: str, default: float) -> float:
        value = self.values.get(name)
        if value is None or value == "":
            return default
        try:
            return float(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        return self.values.get(name) is True

    def json(self, name: str) -> Any:
        value = self.values.get(name)
        if isinstance(value, _UnparsedJson):
            raise bad_request(_JSON_ERRORS.get(name, f"can't parse {name} JSON object"))
        return value

    def chat_id(self, name: str = "chat_id") -> int | str:
        """A chat id, or an @username; Telegram answers "chat_id is empty" when absent."""
        value = self.values.get(name)
        if value is None or value == "":
            raise bad_request(f"{name} is empty")
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, str) and value.startswith("@"):
            return value
        raise bad_request("chat not found")

    def required_int(self, name: str) -> int:
        value = self.optional_int(name)
        if value is None:
            missing = (
                "message identifier is not specified"
                if name == "message_id"
                else f"{name} is empty"
            )
            raise bad_request(missing)
        return value

    def file(self, name: str) -> UploadedFile | str | None:
        """An uploaded file, or the string (file_id or URL) sent instead of one.

        "attach://part" points at another multipart part, as media groups do.
        """
        value = self.values.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            value = self.values.get(value.removeprefix("attach://"))
        if isinstance(value, UploadedFile | str):
            return value
        return None


_JSON_ERRORS = {
    "reply_markup": "can't parse reply keyboard markup JSON object",
    "entities": "can't parse entities JSON object",
    "caption_entities": "can't parse caption entities JSON object",
    "reply_parameters": "can't parse reply parameters JSON object",
    "link_preview_options": "can't parse link preview options JSON object",
    "allowed_updates": "can't parse allowed updates JSON object",
    "commands": "can't parse commands JSON object",
}


@dataclass(frozen=True)
class _UnparsedJson:
    """A JSON field that was not valid JSON; reading it raises Telegram's error."""

    text: str


def _normalise(name: str, value: Any) -> Any:
    if not isinstance(value, str):
        return value
    if name in JSON_FIELDS:
        try:
            return json.loads(value)
        except ValueError:
            return _UnparsedJson(value)
    if name in INT_FIELDS:
        try:
            return int(value)
        except ValueError:
            return value
    if name in BOOL_FIELDS:
        return value.lower() in ("true", "1")
    return value


async def read_params(request: Request) -> Params:
    """The parameters of a Bot API request: query string plus body, in any encoding."""
    values: dict[str, Any] = dict(request.query_params)
    body = await request.body()
    content_type = request.headers.get("content-type", "")
    mime = content_type.split(";", 1)[0].strip().lower()
    if body and mime == "application/json":
        values.update(_json_body(body))
    elif body and mime == "multipart/form-data":
        values.update(_multipart_body(content_type, body))
    elif body:
        values.update(parse_qsl(body.decode("utf-8", errors="replace"), keep_blank_values=True))
    return Params.from_wire(values)


def _json_body(body: bytes) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError:
        raise ApiError(400, "Bad Request: can't parse JSON object") from None
    if not isinstance(parsed, dict):
        raise ApiError(400, "Bad Request: JSON object expected")
    return parsed


def _multipart_body(content_type: str, body: bytes) -> dict[str, Any]:
    """Splits multipart/form-data with the standard library's MIME parser.

    The parser reads a whole MIME document, so the request's Content-Type header goes in
    front of the body; it keeps each part's bytes as sent.
    """
    document = b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body
    message = BytesParser(policy=HTTP).parsebytes(document)
    if not isinstance(message, EmailMessage) or not message.is_multipart():
        raise bad_request("can't parse multipart/form-data")
    values: dict[str, Any] = {}
    for part in message.iter_parts():
        if not isinstance(part, EmailMessage):
            continue
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            values[name] = content.decode("utf-8", errors="replace")
        else:
            values[name] = UploadedFile(filename, content, part.get_content_type())
    return values
