"""The Bot API methods the sandbox answers, by name."""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.methods import editing, polling, profile, sending
from sandbox.methods.context import ApiContext, Handler


@dataclass(frozen=True)
class Method:
    name: str  # as the Bot API documents it, e.g. "sendMessage"
    handler: Handler
    sends_message: bool = False  # counted against the flood limits


def _methods() -> dict[str, Method]:
    sending_methods = {
        "sendMessage": sending.send_message,
        "copyMessage": sending.copy_message,
        **{name: sending.media_sender(kind) for name, kind in sending.MEDIA_METHODS.items()},
    }
    other_methods: dict[str, Handler] = {
        "getMe": profile.get_me,
        "setMyCommands": profile.set_my_commands,
        "getMyCommands": profile.get_my_commands,
        "deleteMyCommands": profile.delete_my_commands,
        "setMyName": profile.profile_setter("name"),
        "setMyDescription": profile.profile_setter("description"),
        "setMyShortDescription": profile.profile_setter("short_description"),
        "getUpdates": polling.get_updates,
        "setWebhook": polling.set_webhook,
        "deleteWebhook": polling.delete_webhook,
        "getWebhookInfo": polling.get_webhook_info,
        "sendChatAction": sending.send_chat_action,
        "editMessageText": editing.edit_message_text,
        "editMessageCaption": editing.edit_message_caption,
        "editMessageReplyMarkup": editing.edit_message_reply_markup,
        "deleteMessage": editing.delete_message,
        "answerCallbackQuery": editing.answer_callback_query,
        "leaveChat": editing.leave_chat,
        "getFile": editing.get_file,
    }
    table = [Method(name, handler, sends_message=True) for name, handler in sending_methods.items()]
    table += [Method(name, handler) for name, handler in other_methods.items()]
    # Telegram matches method names without regard to case.
    return {method.name.lower(): method for method in table}


METHODS = _methods()


def find_method(name: str) -> Method | None:
    return METHODS.get(name.lower())


__all__ = ["METHODS", "ApiContext", "Method", "find_method"]
