"""reply_markup: Telegram's checks of inline keyboards, and the buttons they show."""

from __future__ import annotations

from typing import Any

from sandbox.errors import bad_request
from sandbox.records import Button, ButtonRows

MAX_CALLBACK_DATA_BYTES = 64

# A button must do exactly one of these; a text-only button is a reply-keyboard button.
_BUTTON_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_URL_SCHEMES = ("http://", "https://", "tg://")


def check_reply_markup(markup: Any) -> dict[str, Any] | None:
    """The markup as sent, after Telegram's checks; None when there is none."""
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        _check_inline_keyboard(markup["inline_keyboard"])
    elif not any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
        raise bad_request("can't parse reply keyboard markup JSON object")
    return markup


def inline_keyboard(markup: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a markup that messages keep: only inline keyboards stay attached."""
    if markup is None or "inline_keyboard" not in markup:
        return None
    return {"inline_keyboard": markup["inline_keyboard"]}


def buttons_of(markup: dict[str, Any] | None) -> ButtonRows:
    keyboard = inline_keyboard(markup)
    if keyboard is None:
        return []
    return [
        [Button(str(button["text"]), _button_data(button)) for button in row]
        for row in keyboard["inline_keyboard"]
    ]


def raw_button(message: dict[str, Any], text: str) -> dict[str, Any] | None:
    """The inline button labelled `text` in a message, as the bot sent it."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    for row in rows:
        for button in row:
            if button.get("text") == text:
                return dict(button)
    return None


def _button_data(button: dict[str, Any]) -> str | None:
    for action in ("callback_data", "url"):
        if isinstance(button.get(action), str):
            return str(button[action])
    return None


def _check_inline_keyboard(rows: Any) -> None:
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request('field "inline_keyboard" of the InlineKeyboardMarkup must be an Array')
    for row in rows:
        for button in row:
            _check_inline_button(button)


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict) or not isinstance(button.get("text"), str):
        raise bad_request(
            'can\'t parse inline keyboard button: Field "text" must be of type String'
        )
    actions = [action for action in _BUTTON_ACTIONS if action in button]
    if not actions:
        raise bad_request(
            "can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
        )
    data = button.get("callback_data")
    if "callback_data" in actions and not _valid_callback_data(data):
        raise bad_request("BUTTON_DATA_INVALID")
    url = button.get("url")
    if "url" in actions and not (isinstance(url, str) and url.startswith(_URL_SCHEMES)):
        raise bad_request("BUTTON_URL_INVALID")


def _valid_callback_data(data: Any) -> bool:
    return isinstance(data, str) and 1 <= len(data.encode("utf-8")) <= MAX_CALLBACK_DATA_BYTES
