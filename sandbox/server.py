"""The sandbox's HTTP face: Telegram's Bot API and file URLs, served on loopback inside the
caller's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any
from urllib.parse import unquote

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Message, Scope

from sandbox.core import SandboxCore
from sandbox.errors import ApiError, not_found, too_many_requests, unauthorized
from sandbox.methods import ApiContext, Method, find_method
from sandbox.params import Params, read_params

log = logging.getLogger(__name__)

# Where the server leaves the connection's transport in the ASGI scope.
TRANSPORT_KEY = "sandbox.transport"
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


class _TelegramJSON(JSONResponse):
    """Like Telegram, escapes what UTF-8 cannot carry (a lone surrogate in an update)."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":")).encode("ascii")


def ok(result: Any) -> JSONResponse:
    return _TelegramJSON({"ok": True, "result": result})


def failed(error: ApiError) -> JSONResponse:
    return JSONResponse(error.to_json(), status_code=error.status)


class BotApiRoutes:
    """`/bot<token>/<method>` and `/file/bot<token>/<path>`, answered as Telegram answers."""

    def __init__(self, core: SandboxCore) -> None:
        self._core = core

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/bot{token}/{method}", self.call, methods=["GET", "POST"]),
            Route("/file/bot{token}/{file_path:path}", self.download, methods=["GET"]),
        ]

    async def call(self, request: Request) -> Response:
        core = self._core
        if request.path_params["token"] != core.token:
            return failed(unauthorized())
        method = find_method(request.path_params["method"])
        if method is None:
            return failed(not_found())
        try:
            params = await read_params(request)
        except ApiError as error:
            return failed(error)
        core.world.record_call(method.name, params.values)
        core.stats.requests[method.name] += 1
        return await self._answer(request, method, params)

    async def _answer(self, request: Request, method: Method, params: Params) -> Response:
        """Injected faults and flood limits first, then the method itself."""
        faults = self._core.faults
        delay = faults.delay(method.name)
        if delay:
            await self._core.pause(delay)
        if faults.take_drop(method.name, after_processing=False):
            return await self._drop(request)
        try:
            self._refuse_if_faulty_or_flooding(method, params)
            result = await method.handler(ApiContext(self._core, params))
        except ApiError as error:
            return failed(error)
        if faults.take_drop(method.name, after_processing=True):
            return await self._drop(request)
        return ok(result)

    def _refuse_if_faulty_or_flooding(self, method: Method, params: Params) -> None:
        core = self._core
        chat_id = params.values.get("chat_id")
        injected = core.faults.take_failure(method.name, chat_id)
        if injected is not None:
            core.stats.faults_injected += 1
            raise injected
        if core.limiter is not None and method.sends_message and chat_id is not None:
            retry_after = core.limiter.admit(chat_id)
            if retry_after is not None:
                core.stats.too_many_requests += 1
                raise too_many_requests(retry_after)

    async def _drop(self, request: Request) -> Response:
        """Close the connection without a byte of answer: the client sees a network error."""
        self._core.stats.connections_dropped += 1
        transport = request.scope.get(TRANSPORT_KEY)
        if transport is None:  # not served by LoopbackServer
            return failed(ApiError(504, "Gateway Timeout"))
        transport.close()
        # Wait until the server has noticed, so it writes no answer.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(request.receive(), 1.0)
        return Response(status_code=204)  # goes nowhere: the connection is gone

    async def download(self, request: Request) -> Response:
        if request.path_params["token"] != self._core.token:
            return failed(unauthorized())
        record = self._core.world.files_by_path.get(request.path_params["file_path"])
        if record is None:
            return failed(not_found())
        return Response(record.content, media_type=record.mime_type or "application/octet-stream")


async def _telegram_not_found(request: Request) -> Response:
    return failed(not_found())


def build_app(core: SandboxCore, control: list[BaseRoute]) -> ASGIApp:
    routes: list[BaseRoute] = [
        *BotApiRoutes(core).routes(),
        Mount("/sandbox", routes=control),
        Route("/{path:path}", _telegram_not_found, methods=_ALL_METHODS),
    ]
    return Starlette(routes=routes)


class LoopbackServer:
    """Serves an ASGI app over HTTP/1.1 on 127.0.0.1, from the running event loop.

    The HTTP is the small subset clients of a Bot API use (see `_HttpConnection`), written
    here rather than taken from uvicorn: with h11, uvicorn spent about half the sandbox's
    CPU on each request and wrote every answer in two packets, which bench 2 (the outbox
    sender at 1,000 messages/s on two cores) could not afford. The socket is bound here;
    port 0 picks a free port, which `port` then tells. Signals are left alone.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._server: asyncio.Server | None = None
        self._connections: set[_HttpConnection] = set()
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    async def start(self) -> None:
        sock = _listening_socket(self._host, self._requested_port)
        self.port = sock.getsockname()[1]
        loop = asyncio.get_running_loop()
        try:
            self._server = await loop.create_server(
                lambda: _HttpConnection(self._app, self._connections), sock=sock
            )
        except BaseException:
            sock.close()
            raise

    async def stop(self, grace: float = 2.0) -> None:
        """Stop listening, let answers under way finish for up to `grace` seconds, then
        close every connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.close()
        for connection in list(self._connections):
            connection.close_when_idle()
        busy = [c.answering for c in self._connections if c.answering is not None]
        if busy:
            _, late = await asyncio.wait(busy, timeout=grace)
            if late:
                log.warning("sandbox HTTP server did not stop in time; forcing it")
        for connection in list(self._connections):
            connection.abort()
        await server.wait_closed()


class _BadRequest(Exception):
    pass


_MAX_HEAD = 64 * 1024
_CONTINUE = b"HTTP/1.1 100 Continue\r\n\r\n"


@dataclass
class _Request:
    method: str
    target: str
    version: str
    headers: list[tuple[bytes, bytes]]
    body: bytes
    keep_alive: bool


class _HttpConnection(asyncio.Protocol):
    """One client connection: requests one after another (keep-alive), each answered by
    the ASGI app in a task of its own; the whole answer goes out in one write.

    Bodies come with Content-Length or chunked; an `Expect: 100-continue` is answered. The
    app gets the body in one `http.request`, then `http.disconnect` once the connection is
    gone. The transport is in the scope (TRANSPORT_KEY) so a fault can drop the line.
    """

    def __init__(self, app: ASGIApp, connections: set[_HttpConnection]) -> None:
        self._app = app
        self._connections = connections
        self._transport: asyncio.Transport | None = None
        self._buffer = bytearray()
        self._continued = False
        self._closing = False
        self._lost = asyncio.Event()
        self._client: tuple[str, int] | None = None
        self._server: tuple[str, int] | None = None
        self.answering: asyncio.Task[None] | None = None

    # -- asyncio.Protocol ------------------------------------------------------------

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self._transport = transport
        self._client = _address(transport.get_extra_info("peername"))
        self._server = _address(transport.get_extra_info("sockname"))
        self._connections.add(self)

    def connection_lost(self, exc: Exception | None) -> None:
        self._connections.discard(self)
        self._lost.set()

    def data_received(self, data: bytes) -> None:
        self._buffer += data
        if self.answering is None:
            self._next_request()

    # -- shutting down ---------------------------------------------------------------

    def close_when_idle(self) -> None:
        self._closing = True
        if self.answering is None and self._transport is not None:
            self._transport.close()

    def abort(self) -> None:
        if self.answering is not None:
            self.answering.cancel()
        if self._transport is not None:
            self._transport.abort()

    # -- requests --------------------------------------------------------------------

    def _next_request(self) -> None:
        transport = self._transport
        if transport is None or transport.is_closing() or self._closing:
            return
        try:
            request = self._take_request()
        except _BadRequest as error:
            transport.write(_plain_answer(400, str(error)))
            transport.close()
            return
        if request is not None:
            self._continued = False
            self.answering = asyncio.get_running_loop().create_task(self._answer(request))

    def _take_request(self) -> _Request | None:
        """The next whole request in the buffer (removed from it), or None for now."""
        buffer = self._buffer
        head_end = buffer.find(b"\r\n\r\n")
        if head_end < 0:
            if len(buffer) > _MAX_HEAD:
                raise _BadRequest("request head too long")
            return None
        lines = bytes(buffer[:head_end]).decode("latin-1").split("\r\n")
        request_line = lines[0].split(" ")
        if len(request_line) != 3 or not request_line[2].startswith("HTTP/1."):
            raise _BadRequest("malformed request line")
        method, target, version = request_line
        headers: list[tuple[bytes, bytes]] = []
        fields: dict[str, str] = {}
        for line in lines[1:]:
            name, colon, value = line.partition(":")
            if not colon:
                raise _BadRequest("malformed header line")
            name, value = name.strip().lower(), value.strip()
            headers.append((name.encode("latin-1"), value.encode("latin-1")))
            fields[name] = value
        start = head_end + 4
        if "chunked" in fields.get("transfer-encoding", "").lower():
            found = _dechunk(buffer, start)
            if found is None:
                self._send_continue(fields)
                return None
            body, end = found
        else:
            try:
                length = int(fields.get("content-length", "0"))
            except ValueError:
                raise _BadRequest("malformed Content-Length") from None
            end = start + length
            if len(buffer) < end:
                self._send_continue(fields)
                return None
            body = bytes(buffer[start:end])
        del buffer[:end]
        connection = fields.get("connection", "").lower()
        keep_alive = connection != "close" if version == "HTTP/1.1" else connection == "keep-alive"
        return _Request(method, target, version, headers, body, keep_alive)

    def _send_continue(self, fields: dict[str, str]) -> None:
        if not self._continued and fields.get("expect", "").lower() == "100-continue":
            self._continued = True
            assert self._transport is not None
            self._transport.write(_CONTINUE)

    async def _answer(self, request: _Request) -> None:
        transport = self._transport
        assert transport is not None
        path, _, query = request.target.partition("?")
        scope: Scope = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": request.version[5:],
            "method": request.method,
            "scheme": "http",
            "path": unquote(path),
            "raw_path": path.encode("latin-1"),
            "query_string": query.encode("latin-1"),
            "root_path": "",
            "headers": request.headers,
            "client": self._client,
            "server": self._server,
            TRANSPORT_KEY: transport,
        }
        body_given = False
        status: int | None = None
        response_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        finished = False

        async def receive() -> Message:
            nonlocal body_given
            if not body_given:
                body_given = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            await self._lost.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            nonlocal status, response_headers, finished
            if message["type"] == "http.response.start":
                status = int(message["status"])
                response_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body" and status is not None and not finished:
                chunks.append(bytes(message.get("body", b"")))
                if not message.get("more_body", False):
                    finished = True
                    body = b"".join(chunks)
                    if not transport.is_closing():
                        transport.write(
                            _answer_bytes(status, response_headers, body, request, self._closing)
                        )

        try:
            await self._app(scope, receive, send)
        except Exception:
            log.exception("sandbox: error answering %s %s", request.method, path)
            if status is None and not transport.is_closing():
                transport.write(_plain_answer(500, "Internal Server Error"))
        finally:
            self.answering = None
        # An answer cut short (or none) leaves the line unusable.
        if not finished or not request.keep_alive or self._closing:
            transport.close()
        elif self._buffer:
            self._next_request()


def _answer_bytes(
    status: int,
    headers: list[tuple[bytes, bytes]],
    body: bytes,
    request: _Request,
    closing: bool,
) -> bytes:
    reason = _REASONS.get(status, "")
    lines = [f"HTTP/1.1 {status} {reason}".encode("latin-1")]
    has_length = False
    for name, value in headers:
        lowered = name.lower()
        if lowered == b"content-length":
            has_length = True
        elif lowered == b"connection":
            continue
        lines.append(name + b": " + value)
    if not has_length:
        lines.append(b"content-length: %d" % len(body))
    if not request.keep_alive or closing:
        lines.append(b"connection: close")
    head = b"\r\n".join(lines) + b"\r\n\r\n"
    return head if request.method == "HEAD" else head + body


def _plain_answer(status: int, text: str) -> bytes:
    body = text.encode()
    return (
        f"HTTP/1.1 {status} {_REASONS.get(status, '')}\r\ncontent-type: text/plain\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    ).encode("latin-1") + body


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body from `start`: (body, where it ends), or None while incomplete."""
    chunks: list[bytes] = []
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        try:
            size = int(bytes(buffer[position:line_end]).split(b";", 1)[0], 16)
        except ValueError:
            raise _BadRequest("malformed chunk size") from None
        position = line_end + 2
        if size == 0:
            while True:  # trailer fields, up to an empty line
                line_end = buffer.find(b"\r\n", position)
                if line_end < 0:
                    return None
                empty = line_end == position
                position = line_end + 2
                if empty:
                    return b"".join(chunks), position
        if len(buffer) < position + size + 2:
            return None
        chunks.append(bytes(buffer[position : position + size]))
        position += size + 2


def _address(value: object) -> tuple[str, int] | None:
    if isinstance(value, tuple) and len(value) >= 2:
        return str(value[0]), int(value[1])
    return None


_REASONS = {status.value: status.phrase for status in HTTPStatus}


def _listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket listening on host:port.

    The protocol is named explicitly: asyncio turns off Nagle's algorithm only on sockets
    whose proto is IPPROTO_TCP, and socket.create_server() leaves it 0, which costs every
    answer a 40 ms wait for a delayed ACK.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock
