"""The outbox's lean Bot API client (bot/delivery/send_client.py) and the gateway around it:
HTTP framing and keep-alive against scripted servers, Telegram's errors in the sender's
terms against the sandbox, and PTB taking over when a proxy is configured."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import telegram

from bot.app import all_renderers
from bot.delivery import gateway as gateway_module
from bot.delivery.gateway import TelegramGateway
from bot.delivery.send_client import ApiRefused, ApiUnreachable, BotApiClient
from bot.delivery.sender import (
    Outbound,
    PermanentFailure,
    RecipientBlocked,
    RetryLater,
    TransientFailure,
)
from sandbox import BotApiSandbox

TOKEN = "123456:TEST-TOKEN"
Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def answer(payload: dict[str, Any], *, status: int = 200, extra: str = "") -> bytes:
    body = json.dumps(payload).encode()
    head = f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n{extra}"
    return f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body


async def read_request(reader: asyncio.StreamReader) -> tuple[str, dict[str, Any]]:
    """One request: its first line and its JSON body."""
    head = (await reader.readuntil(b"\r\n\r\n")).decode()
    lines = head.split("\r\n")
    length = next(int(v) for k, _, v in (x.partition(": ") for x in lines) if k == "Content-Length")
    return lines[0], json.loads(await reader.readexactly(length))


class Scripted:
    """A loopback server answering each connection with `handler`; counts connections."""

    def __init__(self, handler: Handler) -> None:
        self.handler = handler
        self.connections = 0
        self.server: asyncio.Server | None = None

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            await self.handler(reader, writer)
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    @property
    def url(self) -> str:
        assert self.server is not None
        port = self.server.sockets[0].getsockname()[1]
        return f"http://127.0.0.1:{port}/bot{TOKEN}"


@pytest.fixture
async def scripted() -> AsyncIterator[Callable[[Handler], Awaitable[Scripted]]]:
    servers: list[asyncio.Server] = []

    async def start(handler: Handler) -> Scripted:
        scripted = Scripted(handler)
        scripted.server = await asyncio.start_server(scripted._serve, "127.0.0.1", 0)
        servers.append(scripted.server)
        return scripted

    yield start
    for server in servers:
        server.close()


async def test_keeps_the_connection_and_sends_json(scripted: Any) -> None:
    seen: list[tuple[str, dict[str, Any]]] = []

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            seen.append(await read_request(reader))
            writer.write(answer({"ok": True, "result": {"message_id": len(seen)}}))

    server = await scripted(handler)
    client = BotApiClient(server.url)
    try:
        for expected in (1, 2, 3):
            result = await client.call("sendMessage", {"chat_id": 7, "text": "héllo <b>x</b>"})
            assert result == {"message_id": expected}
    finally:
        await client.aclose()
    assert server.connections == 1
    assert seen[0] == (
        f"POST /bot{TOKEN}/sendMessage HTTP/1.1",
        {"chat_id": 7, "text": "héllo <b>x</b>"},
    )


async def test_reads_chunked_and_close_delimited_answers(scripted: Any) -> None:
    body = json.dumps({"ok": True, "result": {"message_id": 5}}).encode()

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        writer.write(
            b"%x;ext=1\r\n%s\r\n%x\r\n%s\r\n0\r\nX-Trailer: y\r\n\r\n"
            % (10, body[:10], len(body) - 10, body[10:])
        )
        await read_request(reader)
        writer.write(b"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n" + body)
        await writer.drain()

    server = await scripted(handler)
    client = BotApiClient(server.url)
    try:
        assert await client.call("copyMessage", {}) == {"message_id": 5}
        assert await client.call("copyMessage", {}) == {"message_id": 5}
        assert await client.call("copyMessage", {}) == {"message_id": 5}
    finally:
        await client.aclose()
    assert server.connections == 2, "closed after the close-delimited answer, then a new one"


async def test_a_connection_the_server_closed_while_idle_is_not_reused(scripted: Any) -> None:
    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(answer({"ok": True, "result": {"message_id": 1}}))
        await writer.drain()  # then the server closes the idle connection

    server = await scripted(handler)
    client = BotApiClient(server.url)
    try:
        await client.call("sendMessage", {})
        await asyncio.sleep(0.05)  # the close arrives
        await client.call("sendMessage", {})
    finally:
        await client.aclose()
    assert server.connections == 2


async def test_refusals_and_missing_answers(scripted: Any) -> None:
    answers = [
        answer(
            {
                "ok": False,
                "error_code": 429,
                "description": "Too Many Requests: retry after 3",
                "parameters": {"retry_after": 3},
            },
            status=429,
        ),
        answer({"ok": False, "error_code": 403, "description": "Forbidden: blocked"}, status=403),
        b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 5\r\n\r\n<html",
        b'HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n{"ok": tr',  # then the line drops
    ]

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while answers:
            await read_request(reader)
            writer.write(answers.pop(0))
            await writer.drain()

    server = await scripted(handler)
    client = BotApiClient(server.url)
    try:
        with pytest.raises(ApiRefused) as flood:
            await client.call("sendMessage", {})
        assert (flood.value.error_code, flood.value.retry_after) == (429, 3.0)
        with pytest.raises(ApiRefused) as blocked:
            await client.call("sendMessage", {})
        assert (blocked.value.error_code, blocked.value.retry_after) == (403, None)
        with pytest.raises(ApiUnreachable, match="HTTP 502"):
            await client.call("sendMessage", {})
        with pytest.raises(ApiUnreachable, match="IncompleteReadError"):
            await client.call("sendMessage", {})
    finally:
        await client.aclose()


async def test_no_server_and_a_silent_server_are_unreachable(scripted: Any) -> None:
    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(10)

    server = await scripted(silent)
    client = BotApiClient(server.url, timeout=0.2)
    with pytest.raises(ApiUnreachable, match="TimeoutError"):
        await client.call("sendMessage", {})
    await client.aclose()

    assert server.server is not None
    port = server.server.sockets[0].getsockname()[1]
    server.server.close()
    await server.server.wait_closed()
    nobody = BotApiClient(f"http://127.0.0.1:{port}/bot{TOKEN}")
    with pytest.raises(ApiUnreachable, match="cannot connect"):
        await nobody.call("sendMessage", {})


async def test_at_most_max_connections_requests_in_flight(scripted: Any) -> None:
    in_flight = peak = 0

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal in_flight, peak
        while True:
            await read_request(reader)
            in_flight += 1
            peak = max(peak, in_flight)
            await asyncio.sleep(0.01)
            in_flight -= 1
            writer.write(answer({"ok": True, "result": {"message_id": 1}}))

    server = await scripted(handler)
    client = BotApiClient(server.url, max_connections=3)
    try:
        await asyncio.gather(*(client.call("sendMessage", {}) for _ in range(12)))
    finally:
        await client.aclose()
    assert peak == 3
    assert server.connections == 3


# -- the gateway ---------------------------------------------------------------------------


@pytest.fixture
async def ptb(sandbox: BotApiSandbox) -> AsyncIterator[telegram.Bot]:
    bot = telegram.Bot(TOKEN, base_url=sandbox.base_url)
    async with bot:
        yield bot


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(TOKEN) as sb:
        yield sb


# PTB 22 warns that RetryAfter.retry_after will become a timedelta; that is PTB's business.
@pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")
@pytest.mark.parametrize("proxy", [False, True], ids=["lean", "ptb"])
async def test_gateway_sends_and_classes_telegram_errors(
    sandbox: BotApiSandbox, ptb: telegram.Bot, monkeypatch: pytest.MonkeyPatch, proxy: bool
) -> None:
    monkeypatch.setattr(gateway_module, "_behind_proxy", lambda url: proxy)
    gateway = TelegramGateway(ptb, all_renderers())
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    question = Outbound(
        1001,
        "reveal",
        {
            "round_id": 1,
            "question": "What made you smile?",
            "partner_name": "Bob",
            "partner_answer": {"kind": "text", "body": "Your laugh & mine"},
            "own_answer": {"kind": "text", "body": "The rain"},
            "streak": 1,
        },
    )
    try:
        message_id = await gateway.send(question)
        [received] = alice.inbox[-1:]
        assert received.message_id == message_id
        assert "What made you smile?" in received.text
        assert "Your laugh &amp; mine" in received.text
        assert received.button_texts, "the keyboard went along"

        sandbox.faults.fail_next("sendMessage", 429, retry_after=2)
        with pytest.raises(RetryLater) as flood:
            await gateway.send(question)
        assert flood.value.seconds == 2
        sandbox.faults.fail_next("sendMessage", 502)
        with pytest.raises(TransientFailure):
            await gateway.send(question)
        sandbox.faults.drop_connection("sendMessage")
        with pytest.raises(TransientFailure):
            await gateway.send(question)
        sandbox.faults.fail_next("sendMessage", 400)
        with pytest.raises(PermanentFailure):
            await gateway.send(question)
        alice.chat.blocked = True
        with pytest.raises(RecipientBlocked):
            await gateway.send(question)
    finally:
        await gateway.close()


def test_behind_proxy_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY"):
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(name.lower(), raising=False)
    url = f"https://api.telegram.org/bot{TOKEN}"
    assert not gateway_module._behind_proxy(url)
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    assert gateway_module._behind_proxy(url)
    assert not gateway_module._behind_proxy(f"http://127.0.0.1:8081/bot{TOKEN}")
    monkeypatch.setenv("NO_PROXY", "api.telegram.org")
    assert not gateway_module._behind_proxy(url)


async def test_https_with_the_certificates_httpx_would_trust(
    tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """TLS to the Bot API: verified against SSL_CERT_FILE (as httpx does), by address."""
    import datetime as dt
    import ipaddress
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=1))
        .not_valid_after(now + dt.timedelta(hours=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(cert_file, key_file)

    async def handler(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            await read_request(reader)
            writer.write(answer({"ok": True, "result": {"message_id": 9}}))

    server = await asyncio.start_server(handler, "127.0.0.1", 0, ssl=server_tls)
    port = server.sockets[0].getsockname()[1]
    try:
        untrusting = BotApiClient(f"https://127.0.0.1:{port}/bot{TOKEN}")
        with pytest.raises(ApiUnreachable, match="CERTIFICATE_VERIFY_FAILED"):
            await untrusting.call("sendMessage", {})
        monkeypatch.setenv("SSL_CERT_FILE", str(cert_file))
        client = BotApiClient(f"https://127.0.0.1:{port}/bot{TOKEN}")
        try:
            assert await client.call("sendMessage", {}) == {"message_id": 9}
            assert await client.call("sendMessage", {}) == {"message_id": 9}
        finally:
            await client.aclose()
    finally:
        server.close()
