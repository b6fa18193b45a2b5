"""A small JSON API under /sandbox/ for driving simulated people from another process
(`hearth demo --interactive`, benchmarks).

POST /sandbox/users/{id}/text    {"text": "...", "first_name": "...", "username": "..."}
POST /sandbox/users/{id}/press   {"callback_data": "..."} or {"button": "button text"}
GET  /sandbox/chats/{id}/messages?after=<message_id>&timeout=<seconds>
GET  /sandbox/transcript
POST /sandbox/updates            {any update fields}: queued as they are (raw), with the
                                 next update_id

Answers are `{"ok": true, "result": ...}` or `{"ok": false, "description": ...}`.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from sandbox.people import Population
from sandbox.records import format_transcript
from sandbox.server import ok
from sandbox.state import World

MAX_WAIT_SECONDS = 60.0


def _ok(result: Any) -> JSONResponse:
    return ok(result)  # as the Bot API answers: a raw update may hold lone surrogates


def _refused(status: int, description: str) -> JSONResponse:
    return JSONResponse({"ok": False, "description": description}, status_code=status)


class ControlRoutes:
    def __init__(self, world: World, population: Population) -> None:
        self._world = world
        self._population = population

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/users/{user_id}/text", self.send_text, methods=["POST"]),
            Route("/users/{user_id}/press", self.press, methods=["POST"]),
            Route("/chats/{chat_id}/messages", self.messages, methods=["GET"]),
            Route("/transcript", self.transcript, methods=["GET"]),
            Route("/updates", self.inject_update, methods=["POST"]),
        ]

    async def inject_update(self, request: Request) -> Response:
        body = await _json_body(request)
        return _ok(self._world.updates.push_raw(body))

    async def send_text(self, request: Request) -> Response:
        body = await _json_body(request)
        user_id = _int(request.path_params["user_id"])
        text = body.get("text")
        if user_id is None or user_id <= 0 or not isinstance(text, str) or not text:
            return _refused(400, "a positive user id and a non-empty text are needed")
        user = self._population.user(user_id, body.get("first_name"), username=body.get("username"))
        try:
            return _ok(await user.send_text(text))
        except AssertionError as exc:
            return _refused(409, str(exc))

    async def press(self, request: Request) -> Response:
        body = await _json_body(request)
        user_id = _int(request.path_params["user_id"])
        user = None if user_id is None else self._population.find_user(user_id)
        if user is None:
            return _refused(404, "no such user: send a text first")
        try:
            if isinstance(body.get("button"), str):
                query_id = await user.press_button(body["button"])
            elif isinstance(body.get("callback_data"), str):
                query_id = await user.press(body["callback_data"])
            else:
                return _refused(400, "give callback_data or button")
        except AssertionError as exc:
            return _refused(404, str(exc))
        return _ok({"callback_query_id": query_id})

    async def messages(self, request: Request) -> Response:
        """The bot's messages in a chat after message `after`, waiting up to `timeout`."""
        chat_id = _int(request.path_params["chat_id"])
        chat = None if chat_id is None else self._world.chats.get(chat_id)
        if chat is None:
            return _refused(404, "chat not found")
        after = _int(request.query_params.get("after", "0")) or 0
        timeout = min(_float(request.query_params.get("timeout", "0")), MAX_WAIT_SECONDS)
        messages = chat.bot_messages
        await self._world.changed.wait_until(
            lambda: any(m.message_id > after for m in messages), timeout
        )
        return _ok([m.summary() for m in messages if m.message_id > after])

    async def transcript(self, request: Request) -> Response:
        entries = self._world.transcript
        return _ok(
            {
                "entries": [entry.to_json() for entry in entries],
                "text": format_transcript(entries, self._world.bot_name),
            }
        )


async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.body() or b"{}")
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _int(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        return None


def _float(value: str) -> float:
    try:
        return max(0.0, float(value))
    except ValueError:
        return 0.0
