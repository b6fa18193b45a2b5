"""Methods that send messages: sendMessage, the media senders, copyMessage, sendChatAction."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.markup import check_reply_markup
from sandbox.media import CAPTIONLESS_KINDS, media_object
from sandbox.methods.context import ApiContext, Handler
from sandbox.methods.outgoing import (
    Outgoing,
    deliver,
    plain,
    render_caption,
    render_text,
    reply_target,
    text_content,
)
from sandbox.params import UploadedFile
from sandbox.state import JSON, FileRecord

MEDIA_METHODS = {
    "sendPhoto": "photo",
    "sendVoice": "voice",
    "sendVideo": "video",
    "sendVideoNote": "video_note",
    "sendAudio": "audio",
    "sendAnimation": "animation",
    "sendSticker": "sticker",
    "sendDocument": "document",
}
CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
# What copyMessage carries over from the original message.
_COPIED_FIELDS = (
    "text",
    "entities",
    "photo",
    "voice",
    "video",
    "video_note",
    "audio",
    "animation",
    "sticker",
    "document",
    "caption",
    "caption_entities",
    "contact",
    "location",
    "venue",
    "poll",
    "dice",
)


async def send_message(ctx: ApiContext) -> JSON:
    chat = ctx.world.chat_for_bot(ctx.params.chat_id())
    rendered = render_text(ctx)
    outgoing = Outgoing(
        kind="text",
        content=_with_link_preview(ctx, text_content(rendered)),
        shown=rendered,
        markup=check_reply_markup(ctx.params.json("reply_markup")),
        reply_to=reply_target(ctx, chat),
    )
    return deliver(ctx, chat, outgoing)


def _with_link_preview(ctx: ApiContext, content: JSON) -> JSON:
    options = ctx.params.json("link_preview_options")
    if isinstance(options, dict):
        content["link_preview_options"] = options
    return content


def media_sender(kind: str) -> Handler:
    async def send_media(ctx: ApiContext) -> JSON:
        chat = ctx.world.chat_for_bot(ctx.params.chat_id())
        record = _input_file(ctx, kind)
        caption = None if kind in CAPTIONLESS_KINDS else render_caption(ctx)
        content: JSON = {kind: media_object(kind, record, ctx.params.int_or("duration", 3))}
        if caption is not None:
            content.update(text_content(caption, key="caption"))
        outgoing = Outgoing(
            kind=kind,
            content=content,
            shown=caption or plain(""),
            markup=check_reply_markup(ctx.params.json("reply_markup")),
            reply_to=reply_target(ctx, chat),
        )
        return deliver(ctx, chat, outgoing)

    return send_media


def _input_file(ctx: ApiContext, kind: str) -> FileRecord:
    """An uploaded file becomes a new stored file; a file_id must name a known one."""
    value = ctx.params.file(kind)
    if value is None or value == "":
        raise bad_request(f"there is no {kind} in the request")
    if isinstance(value, UploadedFile):
        if not value.content:
            raise bad_request("file must be non-empty")
        return ctx.world.add_file(kind, value.content, value.filename, value.content_type)
    if value.startswith(("http://", "https://")):
        # Telegram would fetch the URL; the sandbox never leaves loopback.
        raise bad_request("failed to get HTTP URL content")
    record = ctx.world.files.get(value)
    if record is None:
        raise bad_request("wrong file identifier/HTTP URL specified")
    return record


async def copy_message(ctx: ApiContext) -> dict[str, Any]:
    params = ctx.params
    chat = ctx.world.chat_for_bot(params.chat_id())
    source_chat = ctx.world.known_chat(params.chat_id("from_chat_id"))
    message_id = params.required_int("message_id")
    source = source_chat.messages.get(message_id)
    if source is None:
        raise bad_request("message to copy not found")
    content = {key: source[key] for key in _COPIED_FIELDS if key in source}
    if not content:
        raise bad_request("message can't be copied")
    if "caption" in params.values and "text" not in content:
        content.pop("caption", None)
        content.pop("caption_entities", None)
        caption = render_caption(ctx)
        if caption is not None:
            content.update(text_content(caption, key="caption"))
    outgoing = Outgoing(
        kind="copy",
        content=content,
        shown=plain(str(content.get("text") or content.get("caption") or "")),
        markup=check_reply_markup(params.json("reply_markup")),
        reply_to=reply_target(ctx, chat),
        copy_of=(source_chat.id, message_id),
    )
    message = deliver(ctx, chat, outgoing)
    return {"message_id": message["message_id"]}


async def send_chat_action(ctx: ApiContext) -> bool:
    ctx.world.chat_for_bot(ctx.params.chat_id())
    if ctx.params.optional_str("action") not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    return True
