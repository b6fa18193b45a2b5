"""Starlette app and an in-process uvicorn server on HTTP_PORT.

- `GET /healthz`: 200 while the process runs.
- `GET /readyz`: 200 when the bot is initialised and the database answers, else 503.
- `GET /metrics`: Prometheus text.
- `POST <path of WEBHOOK_URL>` (webhook mode): 401 without the right
  X-Telegram-Bot-Api-Secret-Token; 200 only once the update is stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from json import JSONDecodeError

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from bot.delivery.inbox import Inbox, NotAnUpdate
from bot.kernel.metrics import CONTENT_TYPE
from bot.web.metrics import Operations

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 (a header name)


@dataclass
class WebhookEndpoint:
    path: str
    secret: str
    inbox: Inbox
    accepting: Callable[[], bool]


def build_app(operations: Operations, webhook: WebhookEndpoint | None = None) -> Starlette:
    async def healthz(_request: Request) -> Response:
        return PlainTextResponse("ok\n")

    async def readyz(_request: Request) -> Response:
        ready, reason = await operations.ready()
        return PlainTextResponse(f"{reason}\n", status_code=200 if ready else 503)

    async def metrics(_request: Request) -> Response:
        try:
            body = await operations.metrics()
        except Exception as error:
            log.warning("metrics unavailable: %s", type(error).__name__)
            return PlainTextResponse("metrics unavailable\n", status_code=503)
        return Response(body, media_type=CONTENT_TYPE)

    routes = [
        Route("/healthz", healthz, methods=["GET", "HEAD"]),
        Route("/readyz", readyz, methods=["GET", "HEAD"]),
        Route("/metrics", metrics, methods=["GET"]),
    ]
    if webhook is not None:
        routes.append(Route(webhook.path, _webhook_handler(webhook), methods=["POST"]))
    return Starlette(routes=routes)


def _webhook_handler(webhook: WebhookEndpoint) -> Callable[[Request], object]:
    expected = webhook.secret.encode()

    async def receive(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, expected):
            return PlainTextResponse("unauthorized\n", status_code=401)
        if not webhook.accepting():
            return PlainTextResponse("stopping\n", status_code=503)  # Telegram retries
        try:
            payload = await request.json()
            await webhook.inbox.store(payload)
        except (JSONDecodeError, UnicodeDecodeError, NotAnUpdate):
            return PlainTextResponse("not an update\n", status_code=400)
        except Exception as error:
            log.error("could not store an update: %s", type(error).__name__)
            return PlainTextResponse("try again\n", status_code=500)  # Telegram retries
        return Response(status_code=200)

    return receive


class _Server(uvicorn.Server):
    """The process's own SIGTERM handling stays in charge (see Hearth.run_until_stopped)."""

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self.exit_requested = asyncio.Event()

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield

    def install_signal_handlers(self) -> None:  # older uvicorn
        pass

    async def main_loop(self) -> None:
        """uvicorn's own loop wakes ten times a second to refresh the Date header and look
        at `should_exit`, which an idle bot pays for all day. Once a second is enough for
        the header, and `HttpServer.stop` wakes it at once."""
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 10) % 864_000  # on_tick refreshes the header when % 10 == 0
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.exit_requested.wait(), timeout=1)


class HttpServer:
    def __init__(self, app: Starlette, host: str, port: int) -> None:
        self._config = uvicorn.Config(
            app,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=2,
        )
        self._server = _Server(self._config)
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    @property
    def port(self) -> int:
        assert self._socket is not None
        return int(self._socket.getsockname()[1])

    async def start(self) -> None:
        self._socket = _bind(self._config.host, self._config.port)
        self._task = asyncio.create_task(self._server.serve(sockets=[self._socket]), name="http")
        for _ in range(500):
            if self._server.started or self._task.done():
                break
            await asyncio.sleep(0.01)
        if self._task.done():
            await self._task  # raises what went wrong
        if not self._server.started:
            raise OSError("the HTTP server did not start")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is None:
            return
        self._server.should_exit = True
        self._server.exit_requested.set()
        try:
            await asyncio.wait_for(task, timeout=5)
        except (TimeoutError, asyncio.CancelledError):
            task.cancel()
        except Exception:
            log.exception("HTTP server failed while stopping")


def _bind(host: str, port: int) -> socket.socket:
    """A listening socket (uvicorn's own binder exits the process when the port is taken)."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family=family)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError:
        sock.close()
        raise
    sock.set_inheritable(True)
    return sock
