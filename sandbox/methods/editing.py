"""Methods that change what was sent or answer people: edits, deletes, callback answers,
leaving chats, and getFile."""

from __future__ import annotations

from sandbox.errors import bad_request, forbidden
from sandbox.markup import buttons_of, check_reply_markup, inline_keyboard
from sandbox.media import content_kind
from sandbox.methods.context import ApiContext
from sandbox.methods.outgoing import RenderedText, render_caption, render_text, text_content
from sandbox.records import BotMessage, CallbackAnswer, MessageEdit, TranscriptEntry
from sandbox.state import JSON, ChatRecord

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)


async def edit_message_text(ctx: ApiContext) -> JSON:
    chat, message = _message_to_edit(ctx)
    if "text" not in message.raw:
        raise bad_request("there is no text in the message to edit")
    rendered = render_text(ctx)
    _apply_edit(ctx, chat, message, "editMessageText", text_content(rendered), rendered)
    return message.raw


async def edit_message_caption(ctx: ApiContext) -> JSON:
    chat, message = _message_to_edit(ctx)
    if content_kind(message.raw) in ("text", "service"):
        raise bad_request("there is no caption in the message to edit")
    rendered = render_caption(ctx) or RenderedText("")
    content = text_content(rendered, key="caption") if rendered.text else {}
    _apply_edit(ctx, chat, message, "editMessageCaption", content, rendered)
    return message.raw


async def edit_message_reply_markup(ctx: ApiContext) -> JSON:
    chat, message = _message_to_edit(ctx)
    shown = RenderedText(message.plain_text, [], message.text, message.parse_mode)
    _apply_edit(ctx, chat, message, "editMessageReplyMarkup", None, shown)
    return message.raw


def _message_to_edit(ctx: ApiContext) -> tuple[ChatRecord, BotMessage]:
    if "inline_message_id" in ctx.params:
        raise bad_request("MESSAGE_ID_INVALID")  # inline mode is not simulated
    chat = ctx.world.chat_for_bot(ctx.params.chat_id())
    message_id = ctx.params.optional_int("message_id")
    if message_id is None:
        raise bad_request("message identifier is not specified")
    message = chat.bot_message(message_id)
    if message is None:
        if message_id in chat.messages:
            raise bad_request("message can't be edited")
        raise bad_request("message to edit not found")
    return chat, message


def _apply_edit(
    ctx: ApiContext,
    chat: ChatRecord,
    message: BotMessage,
    method: str,
    content: JSON | None,
    shown: RenderedText,
) -> None:
    """Change the message in place; `content` None keeps the text and changes only markup.

    As on Telegram, an edit without reply_markup removes the inline keyboard.
    """
    keyboard = inline_keyboard(check_reply_markup(ctx.params.json("reply_markup")))
    new_raw = dict(message.raw)
    if content is not None:
        for key in ("text", "entities", "caption", "caption_entities"):
            new_raw.pop(key, None)
        new_raw.update(content)
    new_raw.pop("reply_markup", None)
    if keyboard is not None:
        new_raw["reply_markup"] = keyboard
    if _same_content(message.raw, new_raw):
        raise bad_request(NOT_MODIFIED)
    new_raw["edit_date"] = ctx.world.now()
    message.raw.clear()
    message.raw.update(new_raw)
    message.text, message.plain_text = shown.source, shown.text
    message.parse_mode = shown.parse_mode
    message.buttons = buttons_of(keyboard)
    message.edits.append(MessageEdit(method, message.text, message.plain_text, message.buttons))
    ctx.world.note(
        TranscriptEntry(
            chat_id=chat.id,
            who="bot",
            text=message.plain_text,
            buttons=tuple(message.button_texts),
            kind="edit",
            chat_title=chat.title,
            message_id=message.message_id,
        )
    )


def _same_content(old: JSON, new: JSON) -> bool:
    keys = ("text", "entities", "caption", "caption_entities", "reply_markup")
    return all(old.get(key) == new.get(key) for key in keys)


async def delete_message(ctx: ApiContext) -> bool:
    chat = ctx.world.known_chat(ctx.params.chat_id())
    message_id = ctx.params.required_int("message_id")
    if chat.messages.pop(message_id, None) is None:
        raise bad_request("message to delete not found")
    message = chat.bot_message(message_id)
    if message is not None:
        message.deleted = True
    ctx.world.note(
        TranscriptEntry(
            chat_id=chat.id,
            who="bot",
            text=f"deleted #{message_id} in {chat.title}",
            kind="delete",
            chat_title=chat.title,
            message_id=message_id,
        )
    )
    return True


async def answer_callback_query(ctx: ApiContext) -> bool:
    world = ctx.world
    query_id = ctx.params.optional_str("callback_query_id") or ""
    query = world.callback_queries.get(query_id)
    if query is None or query.answered:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    query.answered = True
    answer = CallbackAnswer(
        callback_query_id=query_id,
        text=ctx.params.optional_str("text"),
        show_alert=ctx.params.flag("show_alert"),
        url=ctx.params.optional_str("url"),
    )
    world.callback_answers.setdefault(query.user_id, []).append(answer)
    if answer.text:
        person = world.users.get(query.user_id, {}).get("first_name", query.user_id)
        style = "alert" if answer.show_alert else "notice"
        world.note(
            TranscriptEntry(
                chat_id=query.chat_id,
                who="bot",
                text=f"answered {person} ({style}): {answer.text}",
                kind="answer",
                chat_title=world.chats[query.chat_id].title,
            )
        )
    world.changed.fire()
    return True


async def leave_chat(ctx: ApiContext) -> bool:
    world = ctx.world
    chat = world.known_chat(ctx.params.chat_id())
    if chat.is_private:
        raise bad_request("chat member status can't be changed in private chats")
    if chat.bot_status in ("left", "kicked"):
        raise forbidden(f"bot is not a member of the {chat.type} chat")
    old_status, chat.bot_status = chat.bot_status, "left"
    world.left_chats.append(chat.id)
    world.push_bot_membership(chat, world.bot_user, old_status, "left")
    world.note(
        TranscriptEntry(
            chat_id=chat.id,
            who="bot",
            text=f"left {chat.title}",
            kind="member",
            chat_title=chat.title,
        )
    )
    return True


async def get_file(ctx: ApiContext) -> JSON:
    record = ctx.world.files.get(ctx.params.optional_str("file_id") or "")
    if record is None:
        raise bad_request("invalid file_id")
    return record.as_file()
