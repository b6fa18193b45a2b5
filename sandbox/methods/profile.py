"""The bot's own profile: getMe, its command menu and its descriptions."""

from __future__ import annotations

import json
import re
from typing import Any

from sandbox.errors import bad_request
from sandbox.methods.context import ApiContext, Handler
from sandbox.state import JSON

_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
MAX_COMMANDS = 100


async def get_me(ctx: ApiContext) -> JSON:
    return {
        **ctx.world.bot_user,
        "can_join_groups": True,
        "can_read_all_group_messages": False,
        "supports_inline_queries": False,
        "can_connect_to_business": False,
        "has_main_web_app": False,
    }


def commands_key(scope: Any = None, language_code: str | None = None) -> str:
    """Telegram keeps one command list per (scope, language)."""
    scope_text = json.dumps(scope or {"type": "default"}, sort_keys=True)
    return f"{scope_text}|{language_code or ''}"


def _key(ctx: ApiContext) -> str:
    return commands_key(ctx.params.json("scope"), ctx.params.optional_str("language_code"))


async def set_my_commands(ctx: ApiContext) -> bool:
    commands = ctx.params.json("commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    if len(commands) > MAX_COMMANDS:
        raise bad_request("BOT_COMMANDS_TOO_MUCH")
    stored = [_checked_command(command) for command in commands]
    ctx.world.commands[_key(ctx)] = stored
    return True


def _checked_command(command: Any) -> JSON:
    if not isinstance(command, dict):
        raise bad_request("can't parse BotCommand JSON object")
    name, description = command.get("command"), command.get("description")
    if not isinstance(name, str) or not _COMMAND.fullmatch(name):
        raise bad_request("BOT_COMMAND_INVALID")
    if not isinstance(description, str) or not 1 <= len(description) <= 256:
        raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
    return {"command": name, "description": description}


async def get_my_commands(ctx: ApiContext) -> list[JSON]:
    return list(ctx.world.commands.get(_key(ctx), []))


async def delete_my_commands(ctx: ApiContext) -> bool:
    ctx.world.commands.pop(_key(ctx), None)
    return True


def profile_setter(field: str) -> Handler:
    """setMyName, setMyDescription, setMyShortDescription: stored, for tests to read."""

    async def set_profile_text(ctx: ApiContext) -> bool:
        ctx.world.profile[field] = ctx.params.optional_str(field) or ""
        return True

    return set_profile_text
