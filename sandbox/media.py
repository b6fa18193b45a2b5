"""Files in messages: the media objects Telegram attaches, and small stand-in files."""

from __future__ import annotations

from typing import Any

from sandbox.state import FileRecord

MEDIA_KINDS = ("photo", "voice", "video", "video_note", "audio", "animation", "sticker", "document")
CAPTIONLESS_KINDS = frozenset({"sticker", "video_note"})

# Tiny files with the right magic bytes, so a bot that sniffs the type is not surprised.
STAND_IN_CONTENT = {
    "photo": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00sandbox photo\xff\xd9",
    "voice": b"OggS\x00\x02sandbox voice note",
    "video": b"\x00\x00\x00\x18ftypmp42sandbox video",
    "video_note": b"\x00\x00\x00\x18ftypmp42sandbox video note",
    "audio": b"ID3\x03\x00sandbox audio",
    "animation": b"\x00\x00\x00\x18ftypmp42sandbox animation",
    "sticker": b"RIFF\x1a\x00\x00\x00WEBPsandbox sticker",
    "document": b"%PDF-1.4\nsandbox document\n%%EOF\n",
}
STAND_IN_MIME_TYPES = {
    "photo": "image/jpeg",
    "voice": "audio/ogg",
    "video": "video/mp4",
    "video_note": "video/mp4",
    "audio": "audio/mpeg",
    "animation": "video/mp4",
    "sticker": "image/webp",
    "document": "application/pdf",
}


def media_object(kind: str, record: FileRecord, duration: int = 3) -> Any:
    """What a message carries under `kind`: a list of PhotoSize for photos, else one object."""
    base: dict[str, Any] = {
        "file_id": record.file_id,
        "file_unique_id": record.file_unique_id,
        "file_size": len(record.content),
    }
    if kind == "photo":
        # A file this small has a single size; a big photo would get several.
        return [{**base, "width": 320, "height": 240}]
    if kind == "voice":
        return {**base, "duration": duration, "mime_type": record.mime_type or "audio/ogg"}
    if kind == "video_note":
        return {**base, "length": 240, "duration": duration}
    if kind in ("video", "animation"):
        return {**base, "width": 640, "height": 360, "duration": duration, "mime_type": "video/mp4"}
    if kind == "audio":
        return {**base, "duration": duration, "mime_type": record.mime_type or "audio/mpeg"}
    if kind == "sticker":
        return {
            **base,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
        }
    document = {**base, "mime_type": record.mime_type or "application/octet-stream"}
    if record.file_name:
        document["file_name"] = record.file_name
    return document


def content_kind(message: dict[str, Any]) -> str:
    """The message's content: "text", a media kind, or "service" (joins, leaves...)."""
    if "text" in message:
        return "text"
    for kind in MEDIA_KINDS:
        if kind in message:
            return kind
    return "service"
