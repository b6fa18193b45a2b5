"""What every sending method shares: text checks, reply targets and recording the message."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from sandbox.errors import bad_request
from sandbox.html_check import HtmlParseError, parse_html
from sandbox.markup import buttons_of, inline_keyboard
from sandbox.methods.context import ApiContext
from sandbox.records import BotMessage, TranscriptEntry
from sandbox.state import JSON, ChatRecord

MAX_TEXT_LENGTH = 4096
MAX_CAPTION_LENGTH = 1024
_PARSE_MODES = {"html": "HTML", "markdownv2": "MarkdownV2", "markdown": "Markdown"}


@dataclass(frozen=True)
class RenderedText:
    """A text or caption after Telegram parsed its markup."""

    text: str
    entities: list[JSON] = field(default_factory=list)
    source: str = ""
    parse_mode: str | None = None


def render_text(ctx: ApiContext, field_name: str = "text") -> RenderedText:
    """The message text of a send or edit, checked the way Telegram checks it.

    Telegram counts the limit in characters after parsing the markup.
    """
    rendered = _render(ctx, ctx.params.optional_str(field_name) or "", "entities")
    if not rendered.text.strip():
        raise bad_request("message text is empty")
    if len(rendered.text) > MAX_TEXT_LENGTH:
        raise bad_request("message is too long")
    return rendered


def render_caption(ctx: ApiContext) -> RenderedText | None:
    source = ctx.params.optional_str("caption")
    if source is None:
        return None
    rendered = _render(ctx, source, "caption_entities")
    if len(rendered.text) > MAX_CAPTION_LENGTH:
        raise bad_request("message caption is too long")
    return rendered if rendered.text.strip() else None


def _render(ctx: ApiContext, source: str, entities_field: str) -> RenderedText:
    parse_mode = _parse_mode(ctx.params.optional_str("parse_mode"))
    if parse_mode == "HTML":
        try:
            parsed = parse_html(source, strict_ampersand=ctx.core.strict_html)
        except HtmlParseError as exc:
            raise bad_request(f"can't parse entities: {exc}") from None
        return RenderedText(parsed.text, parsed.entities, source, parse_mode)
    # Markdown is passed through unchecked: Hearth writes HTML, so only HTML is modelled.
    entities = ctx.params.json(entities_field) if parse_mode is None else None
    if entities is not None and not isinstance(entities, list):
        raise bad_request(f"can't parse {entities_field.replace('_', ' ')} JSON object")
    return RenderedText(source, list(entities or []), source, parse_mode)


def _parse_mode(value: str | None) -> str | None:
    if not value:
        return None
    mode = _PARSE_MODES.get(value.lower())
    if mode is None:
        raise bad_request(f'unsupported parse_mode "{value}"')
    return mode


def text_content(rendered: RenderedText, key: str = "text") -> JSON:
    content: JSON = {key: rendered.text}
    if rendered.entities:
        content["entities" if key == "text" else "caption_entities"] = rendered.entities
    return content


def reply_target(ctx: ApiContext, chat: ChatRecord) -> JSON | None:
    """The message a send replies to (reply_parameters or the older reply_to_message_id)."""
    params = ctx.params
    reply = params.json("reply_parameters")
    allow_missing = params.flag("allow_sending_without_reply")
    if isinstance(reply, dict):
        message_id = reply.get("message_id")
        allow_missing = bool(reply.get("allow_sending_without_reply", allow_missing))
        if reply.get("chat_id") is not None:
            chat = ctx.world.known_chat(reply["chat_id"])
    else:
        message_id = params.optional_int("reply_to_message_id")
    if message_id is None:
        return None
    target = chat.messages.get(int(message_id))
    if target is None:
        if allow_missing:
            return None
        raise bad_request("message to be replied not found")
    # Telegram does not nest replies: the replied-to message comes without its own.
    return {key: copy.deepcopy(value) for key, value in target.items() if key != "reply_to_message"}


@dataclass(frozen=True)
class Outgoing:
    """A message the bot is about to send."""

    kind: str
    content: JSON
    shown: RenderedText  # the text or caption the person will read
    markup: JSON | None = None
    reply_to: JSON | None = None
    copy_of: tuple[int, int] | None = None


def _show_reply_keyboard(chat: ChatRecord, markup: JSON | None) -> None:
    """A reply keyboard stays on the chat (not the message) until removed or used."""
    if markup is None:
        return
    if "keyboard" in markup:
        chat.reply_keyboard = [
            [button if isinstance(button, dict) else {"text": button} for button in row]
            for row in markup["keyboard"]
        ]
        chat.one_time_keyboard = bool(markup.get("one_time_keyboard"))
    elif markup.get("remove_keyboard"):
        chat.reply_keyboard = None


def deliver(ctx: ApiContext, chat: ChatRecord, outgoing: Outgoing) -> JSON:
    """Store the bot's message, show it to the chat, and return it as Telegram would."""
    world = ctx.world
    content = dict(outgoing.content)
    if outgoing.reply_to is not None:
        content["reply_to_message"] = outgoing.reply_to
    keyboard = inline_keyboard(outgoing.markup)
    if keyboard is not None:
        content["reply_markup"] = keyboard
    _show_reply_keyboard(chat, outgoing.markup)
    sender = None if chat.type == "channel" else world.bot_user
    message = world.new_message(chat, sender, content)
    bot_message = BotMessage(
        chat_id=chat.id,
        message_id=int(message["message_id"]),
        kind=outgoing.kind,
        text=outgoing.shown.source,
        plain_text=outgoing.shown.text,
        parse_mode=outgoing.shown.parse_mode,
        buttons=buttons_of(keyboard),
        raw=message,
        reply_to_message_id=None if outgoing.reply_to is None else outgoing.reply_to["message_id"],
        copy_of=outgoing.copy_of,
    )
    world.add_bot_message(bot_message)
    world.note(
        TranscriptEntry(
            chat_id=chat.id,
            who="bot",
            text=_transcript_text(outgoing),
            buttons=tuple(bot_message.button_texts),
            kind="message",
            chat_title=chat.title,
            message_id=bot_message.message_id,
        )
    )
    ctx.core.stats.record_accepted(chat.id)
    return message


def _transcript_text(outgoing: Outgoing) -> str:
    if outgoing.kind == "text":
        return outgoing.shown.text
    label = f"[{outgoing.kind}]"
    if outgoing.copy_of is not None:
        label = f"[copy of #{outgoing.copy_of[1]}]"
    return f"{label} {outgoing.shown.text}".rstrip()


def plain(text: str) -> RenderedText:
    return RenderedText(text, [], text, None)
