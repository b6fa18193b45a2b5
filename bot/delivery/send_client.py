"""A lean Bot API client for the outbox's sends: JSON over keep-alive HTTP/1.1.

Why the outbox does not send through python-telegram-bot: on the two-core reference
machine, PTB's request stack (httpx, httpcore, anyio, h11) and its Message objects cost
about 2 ms of CPU a message, which held the sender near 250 messages/s (bench 2 in
bench/RESULTS.md), while Telegram lets a bot with paid broadcasts send 1,000/s. This
client does only what sendMessage and copyMessage need: a JSON body, a small pool of
keep-alive connections (TLS for https, with the certificates httpx would use), and answers
framed by Content-Length, chunked encoding or the end of the connection. Everything else
in the bot still goes through PTB, and so does the outbox when a proxy is configured
(see gateway.py).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import ssl
import time
from typing import Any
from urllib.parse import urlsplit

import httpx

# Idle keep-alive connections older than this are not reused: servers close them after a
# few seconds (uvicorn after 5), and a request on a connection closing under it fails.
MAX_IDLE_SECONDS = 4.0


# Errors meaning "no usable answer": the network's, a timeout, the connection closing
# mid-answer (IncompleteReadError), a head too long, or a malformed one (ValueError).
_NO_ANSWER = (OSError, TimeoutError, EOFError, asyncio.LimitOverrunError, ValueError)


class ApiUnreachable(Exception):
    """No Bot API answer: the connection failed or timed out, or the answer was not one."""


class ApiRefused(Exception):
    """Telegram answered `ok: false`."""

    def __init__(self, error_code: int, description: str, retry_after: float | None) -> None:
        super().__init__(f"{error_code}: {description}")
        self.error_code = error_code
        self.description = description
        self.retry_after = retry_after


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer
        self.idle_since = time.monotonic()

    def reusable(self, now: float) -> bool:
        return (
            not self._reader.at_eof()
            and not self._writer.is_closing()
            and now - self.idle_since < MAX_IDLE_SECONDS
        )

    def close(self) -> None:
        self._writer.close()

    async def wait_closed(self) -> None:
        with contextlib.suppress(OSError, ssl.SSLError):
            await self._writer.wait_closed()

    async def exchange(self, request: bytes) -> tuple[int, bytes, bool]:
        """Send one request; return the status, the body and whether to keep the line."""
        self._writer.write(request)  # head and body in one write: one packet, one syscall
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, _, header_lines = head[:-4].partition(b"\r\n")
        version, _, rest = status_line.partition(b" ")
        if not version.startswith(b"HTTP/1."):
            raise ApiUnreachable("the answer is not HTTP/1.x")
        status = int(rest[:3])
        headers: dict[bytes, bytes] = {}
        for line in header_lines.split(b"\r\n"):
            name, colon, value = line.partition(b":")
            if colon:
                headers[name.strip().lower()] = value.strip().lower()
        keep = version == b"HTTP/1.1" and headers.get(b"connection") != b"close"
        length = headers.get(b"content-length")
        if b"chunked" in headers.get(b"transfer-encoding", b""):
            body = await self._read_chunks()
        elif length is not None:
            body = await self._reader.readexactly(int(length))
        else:
            body = await self._reader.read()  # until the server closes
            keep = False
        return status, body, keep

    async def _read_chunks(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";", 1)[0], 16)
            if size == 0:
                while await self._reader.readuntil(b"\r\n") != b"\r\n":
                    pass  # trailer fields
                return b"".join(chunks)
            chunks.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)


class BotApiClient:
    """Calls Bot API methods at `base_url` (".../bot<token>") with at most
    `max_connections` requests in flight; callers beyond that wait their turn."""

    def __init__(
        self,
        base_url: str,
        *,
        max_connections: int = 16,
        connect_timeout: float = 5.0,
        timeout: float = 10.0,
    ) -> None:
        url = urlsplit(base_url)
        if url.scheme not in ("http", "https") or not url.hostname:
            raise ValueError("the Bot API URL must be http:// or https://")
        self._host = url.hostname
        self._tls = url.scheme == "https"
        self._port = url.port or (443 if self._tls else 80)
        self._ssl: ssl.SSLContext | None = None
        host = url.netloc.rpartition("@")[2]
        self._path = url.path.rstrip("/").encode("latin-1")
        self._headers = (
            f"Host: {host}\r\nUser-Agent: Hearth\r\nContent-Type: application/json\r\n"
        ).encode("latin-1")
        self._connect_timeout = connect_timeout
        self._timeout = timeout
        self._slots = asyncio.Semaphore(max_connections)
        self._idle: list[_Connection] = []

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        """The method's `result`; ApiRefused when Telegram says no, ApiUnreachable when
        there is no answer (the request may or may not have been carried out)."""
        body = json.dumps(params, ensure_ascii=False, separators=(",", ":")).encode()
        request = b"POST %s/%s HTTP/1.1\r\n%sContent-Length: %d\r\n\r\n%s" % (
            self._path,
            method.encode("ascii"),
            self._headers,
            len(body),
            body,
        )
        async with self._slots:
            connection = await self._connection()
            try:
                async with asyncio.timeout(self._timeout):
                    status, payload, keep = await connection.exchange(request)
            except BaseException as error:
                connection.close()
                if isinstance(error, _NO_ANSWER):
                    raise ApiUnreachable(f"{method}: {type(error).__name__} {error}") from None
                raise
            if keep:
                connection.idle_since = time.monotonic()
                self._idle.append(connection)
            else:
                connection.close()
        return _result(method, status, payload)

    async def aclose(self) -> None:
        """Close the idle connections (the client opens new ones if used again)."""
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        for connection in idle:
            await connection.wait_closed()

    async def _connection(self) -> _Connection:
        now = time.monotonic()
        while self._idle:
            connection = self._idle.pop()  # the most recently used: the likeliest alive
            if connection.reusable(now):
                return connection
            connection.close()
        if self._tls and self._ssl is None:
            self._ssl = httpx.create_ssl_context()  # certifi, or SSL_CERT_FILE / _DIR
        try:
            async with asyncio.timeout(self._connect_timeout):
                reader, writer = await asyncio.open_connection(
                    self._host, self._port, ssl=self._ssl if self._tls else None
                )
        except (OSError, TimeoutError) as error:
            raise ApiUnreachable(f"cannot connect to the Bot API: {error}") from None
        return _Connection(reader, writer)


def _result(method: str, status: int, payload: bytes) -> Any:
    try:
        answer = json.loads(payload)
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or not isinstance(answer.get("ok"), bool):
        raise ApiUnreachable(f"{method}: HTTP {status} without a Bot API answer")
    if answer["ok"]:
        return answer.get("result")
    parameters = answer.get("parameters")
    retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
    error_code = answer.get("error_code")
    raise ApiRefused(
        error_code if isinstance(error_code, int) else status,
        str(answer.get("description") or ""),
        float(retry_after) if isinstance(retry_after, int | float) else None,
    )
