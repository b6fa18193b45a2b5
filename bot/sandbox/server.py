"""The sandbox's HTTP face: Telegram's Bot API and file URLs, served by uvicorn on loopback
inside the caller's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections.abc import Generator
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Mount, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from bot.sandbox.core import SandboxCore
from bot.sandbox.errors import ApiError, not_found, too_many_requests, unauthorized
from bot.sandbox.methods import ApiContext, Method, find_method
from bot.sandbox.params import Params, read_params

log = logging.getLogger(__name__)

# Where the wrapper below leaves the connection's transport in the ASGI scope.
TRANSPORT_KEY = "sandbox.transport"
_ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]


def ok(result: Any) -> JSONResponse:
    return JSONResponse({"ok": True, "result": result})


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
        if transport is None:  # not served by uvicorn's h11 or httptools protocol
            return failed(ApiError(504, "Gateway Timeout"))
        transport.close()
        # Wait until uvicorn has noticed, so it neither logs an error nor writes an answer.
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
    return _ExposeTransport(Starlette(routes=routes))


class _ExposeTransport:
    """Puts the connection's transport into the scope, so a fault can close it mid-request.

    ASGI has no way to drop a connection; uvicorn's `send` is a method of its per-request
    cycle object, which holds the transport. Starlette wraps `send`, so this must run first.
    """

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            cycle = getattr(send, "__self__", None)
            scope = {**scope, TRANSPORT_KEY: getattr(cycle, "transport", None)}
        await self._app(scope, receive, send)


class _EmbeddedUvicorn(uvicorn.Server):
    """uvicorn that leaves signals alone and says when it is listening."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.ready = asyncio.Event()
        self.exit_requested = asyncio.Event()

    def request_exit(self) -> None:
        self.should_exit = True
        self.exit_requested.set()

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        # uvicorn 0.54 swaps in its own SIGINT/SIGTERM handlers here; the process that
        # embeds the sandbox (the bot, a test runner) owns its signals.
        yield

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        self.ready.set()

    async def main_loop(self) -> None:
        # uvicorn's own loop looks at should_exit every 0.1 s; tests start and stop a
        # sandbox each, so stopping waits on an event instead. One tick sets the default
        # response headers, which uvicorn's ticks would otherwise keep refreshing.
        await self.on_tick(0)
        await self.exit_requested.wait()


class LoopbackServer:
    """Serves an ASGI app on 127.0.0.1 from a task in the running event loop.

    The socket is bound here rather than by uvicorn, whose bind failure would call
    sys.exit(); port 0 picks a free port, which `port` then tells.
    """

    def __init__(self, app: ASGIApp, host: str = "127.0.0.1", port: int = 0) -> None:
        self._app = app
        self._host = host
        self._requested_port = port
        self._server: _EmbeddedUvicorn | None = None
        self._task: asyncio.Task[None] | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    async def start(self) -> None:
        sock = _listening_socket(self._host, self._requested_port)
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(
            self._app,
            lifespan="off",
            log_level="warning",
            log_config=None,  # keep the host process's logging set-up as it is
            access_log=False,
            proxy_headers=False,
            date_header=False,  # the ticks that would refresh it are gone (see main_loop)
            timeout_graceful_shutdown=2,
        )
        self._server = server = _EmbeddedUvicorn(config)
        self._task = asyncio.create_task(server.serve(sockets=[sock]), name="sandbox-http")
        ready = asyncio.create_task(server.ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not server.ready.is_set():
            ready.cancel()
            sock.close()
            await self._task  # raises what stopped it
            raise RuntimeError("the sandbox's HTTP server stopped while starting")

    async def stop(self) -> None:
        server, task = self._server, self._task
        if server is None or task is None:
            return
        server.request_exit()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout=5.0)
        except TimeoutError:
            log.warning("sandbox HTTP server did not stop in time; forcing it")
            server.force_exit = True
            await task
        self._server = self._task = None


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
