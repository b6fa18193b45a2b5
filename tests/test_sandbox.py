"""The Bot API sandbox, driven over real HTTP by httpx and by python-telegram-bot itself."""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from datetime import timedelta

import httpx
import pytest
import telegram
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from telegram.error import BadRequest, Conflict, Forbidden, InvalidToken, NetworkError, RetryAfter

from sandbox import SECRET_HEADER, BotApiSandbox, LoopbackServer

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(TOKEN, bot_username="HearthTestBot", bot_first_name="Hearth") as sb:
        yield sb


@pytest.fixture
async def bot(sandbox: BotApiSandbox) -> AsyncIterator[telegram.Bot]:
    ptb_bot = telegram.Bot(
        TOKEN, base_url=f"{sandbox.api_root}/bot", base_file_url=f"{sandbox.api_root}/file/bot"
    )
    async with ptb_bot:
        yield ptb_bot


@pytest.fixture
async def http(sandbox: BotApiSandbox) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=sandbox.api_root, trust_env=False) as client:
        yield client


def seconds(retry_after: int | timedelta) -> float:
    return retry_after.total_seconds() if isinstance(retry_after, timedelta) else retry_after


def retry_after_of(error: RetryAfter) -> float:
    return seconds(error.retry_after)


# PTB 22 warns that RetryAfter.retry_after will become a timedelta; that is PTB's business.
quiet_retry_after = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")


# -- the protocol ------------------------------------------------------------------------


async def test_get_me_over_http_and_through_ptb(
    sandbox: BotApiSandbox, bot: telegram.Bot, http: httpx.AsyncClient
) -> None:
    answer = (await http.get(f"/bot{TOKEN}/getMe")).json()
    assert answer["ok"] is True
    assert answer["result"]["username"] == "HearthTestBot"
    me = await bot.get_me()
    assert (me.id, me.first_name, me.is_bot) == (123456, "Hearth", True)


async def test_wrong_token_and_unknown_method(
    sandbox: BotApiSandbox, http: httpx.AsyncClient
) -> None:
    wrong = await http.post("/bot999:WRONG/getMe")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    unknown = await http.post(f"/bot{TOKEN}/sendPigeon")
    assert unknown.status_code == 404
    assert unknown.json()["description"] == "Not Found"
    imposter = telegram.Bot("999:WRONG", base_url=f"{sandbox.api_root}/bot")
    with pytest.raises(InvalidToken):
        await imposter.get_me()


async def test_parameters_arrive_as_form_json_or_query(
    sandbox: BotApiSandbox, http: httpx.AsyncClient
) -> None:
    await sandbox.user(1001, "Alice").send_text("hi")
    url = f"/bot{TOKEN}/sendMessage"
    markup = '{"inline_keyboard": [[{"text": "Yes", "callback_data": "y"}]]}'
    as_form = await http.post(url, data={"chat_id": "1001", "text": "form", "reply_markup": markup})
    as_json = await http.post(url, json={"chat_id": 1001, "text": "json"})
    as_query = await http.get(url, params={"chat_id": "1001", "text": "query"})
    assert [r.json()["result"]["text"] for r in (as_form, as_json, as_query)] == [
        "form",
        "json",
        "query",
    ]
    assert sandbox.calls[-3][1]["reply_markup"]["inline_keyboard"][0][0]["text"] == "Yes"
    assert sandbox.calls[-3][1]["chat_id"] == 1001
    assert sandbox.call_count("sendmessage") == 3


async def test_user_text_reaches_get_updates_and_offset_confirms(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice", username="alice")
    await alice.send_text("hello")
    await alice.send_command("/start", "invite_abc")
    updates = await bot.get_updates()
    assert [u.update_id for u in updates] == [1, 2]
    assert updates[0].message is not None
    assert updates[0].message.text == "hello"
    start = updates[1].message
    assert start is not None
    assert start.text == "/start invite_abc"
    assert start.entities[0].type == "bot_command"
    assert start.entities[0].length == 6
    assert start.from_user is not None
    assert start.from_user.username == "alice"
    assert start.chat.id == 1001
    assert start.chat.type == "private"
    assert len(await bot.get_updates()) == 2  # not confirmed yet
    assert await bot.get_updates(offset=3) == ()
    assert sandbox.pending_updates == []


async def test_long_poll_answers_as_soon_as_an_update_arrives(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    poll = asyncio.create_task(bot.get_updates(timeout=20, read_timeout=30))
    await sandbox.wait_for_poller()
    started = time.monotonic()
    await sandbox.user(1001, "Alice").send_text("are you there?")
    updates = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 1.0
    assert updates[0].message is not None
    assert updates[0].message.text == "are you there?"


async def test_a_newer_get_updates_ends_a_waiting_one_with_conflict(
    sandbox: BotApiSandbox, http: httpx.AsyncClient
) -> None:
    url = f"/bot{TOKEN}/getUpdates"
    first = asyncio.create_task(http.post(url, json={"timeout": 20}, timeout=30))
    await sandbox.wait_for_poller()
    second = await http.post(url, json={"timeout": 0})
    older = await asyncio.wait_for(first, 5)
    assert second.json() == {"ok": True, "result": []}
    assert older.status_code == 409
    assert "terminated by other getUpdates request" in older.json()["description"]


async def test_stop_releases_a_waiting_long_poll_at_once() -> None:
    sandbox = BotApiSandbox(TOKEN)
    await sandbox.start()
    async with httpx.AsyncClient(base_url=sandbox.api_root, trust_env=False) as client:
        poll = asyncio.create_task(
            client.post(f"/bot{TOKEN}/getUpdates", json={"timeout": 30}, timeout=40)
        )
        await sandbox.wait_for_poller()
        started = time.monotonic()
        await sandbox.stop()
        answer = await asyncio.wait_for(poll, 5)
    assert time.monotonic() - started < 2.0
    assert answer.json() == {"ok": True, "result": []}


async def test_allowed_updates_filters_new_updates(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    await bot.get_updates(allowed_updates=["callback_query"])
    await alice.send_text("ignored")
    assert await bot.get_updates() == ()
    await bot.get_updates(allowed_updates=[])  # back to Telegram's default
    await alice.send_text("seen")
    updates = await bot.get_updates()
    assert [u.message.text for u in updates if u.message] == ["seen"]


async def test_message_reaction_updates_have_telegrams_shape(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    """Left out by default, as Telegram does; when asked for, PTB parses them."""
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    sent = await bot.send_message(1001, "Hello")
    await bot.get_updates(offset=-1)
    await alice.react(sent.message_id, "❤")
    assert [u for u in await bot.get_updates(offset=-1) if u.message_reaction] == []
    await bot.get_updates(allowed_updates=["message_reaction"])
    await alice.react(sent.message_id, "🔥")
    await alice.react(sent.message_id)
    updates = [u.message_reaction for u in await bot.get_updates() if u.message_reaction]
    assert len(updates) == 2
    added, removed = updates
    assert added.chat.id == 1001
    assert added.user is not None
    assert added.user.id == 1001
    assert added.message_id == sent.message_id
    assert [r.emoji for r in added.old_reaction] == ["❤"]  # type: ignore[union-attr]
    assert [r.emoji for r in added.new_reaction] == ["🔥"]  # type: ignore[union-attr]
    assert removed.new_reaction == ()


# -- sending and its checks --------------------------------------------------------------


async def test_send_message_with_html_gives_plain_text_and_entities(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    sent = await bot.send_message(1001, "<b>Hi</b> Tom &amp; Jerry", parse_mode="HTML")
    assert sent.text == "Hi Tom & Jerry"
    assert sent.entities[0].type == "bold"
    assert sent.entities[0].length == 2
    received = await alice.expect(contains="Tom & Jerry")  # matches the text as read...
    assert received.plain_text == "Hi Tom & Jerry"
    assert received.text == "<b>Hi</b> Tom &amp; Jerry"  # ...and as sent
    assert received.contains("<b>Hi</b>")
    assert received.parse_mode == "HTML"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("<p>hi</p>", 'unsupported start tag "p" at byte offset 0'),
        ("<b>hi", 'can\'t find end tag corresponding to start tag "b"'),
        ("a < b", 'unsupported start tag "" at byte offset 2'),
        ("Tom & Jerry", 'unescaped "&" at byte offset 4'),
    ],
)
async def test_bad_html_is_refused_as_telegram_refuses_it(
    sandbox: BotApiSandbox, bot: telegram.Bot, text: str, problem: str
) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    with pytest.raises(BadRequest) as refused:
        await bot.send_message(1001, text, parse_mode="HTML")
    assert refused.value.message.lower().startswith("can't parse entities: ")
    assert problem in refused.value.message.lower()


async def test_text_limits_and_button_data_limit(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    with pytest.raises(BadRequest, match="Message is too long"):
        await bot.send_message(1001, "x" * 4097)
    assert (await bot.send_message(1001, "<i>" + "x" * 4096 + "</i>", parse_mode="HTML")).text
    with pytest.raises(BadRequest, match="Message text is empty"):
        await bot.send_message(1001, "<b> </b>", parse_mode="HTML")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Too long", callback_data="x" * 65)]]
    )
    with pytest.raises(BadRequest, match="Button_data_invalid"):
        await bot.send_message(1001, "pick", reply_markup=keyboard)


async def test_chat_checks_forbidden_and_not_found(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    with pytest.raises(Forbidden, match="bot can't initiate conversation with a user"):
        await bot.send_message(1001, "hello?")
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(4242, "anyone?")
    await alice.send_command("/start")
    await alice.block_bot()
    with pytest.raises(Forbidden, match="bot was blocked by the user"):
        await bot.send_message(1001, "still there?")
    updates = await bot.get_updates()
    member = updates[-1].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "kicked"
    await alice.unblock_bot()
    assert (await bot.send_message(1001, "welcome back")).text == "welcome back"


async def test_press_gives_a_callback_query_with_the_message(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Invite my partner", callback_data="invite")]]
    )
    sent = await bot.send_message(1001, "Welcome", reply_markup=keyboard)
    query_id = await alice.press_button("Invite my partner")
    updates = await bot.get_updates()
    query = updates[-1].callback_query
    assert query is not None
    assert query.id == query_id
    assert query.data == "invite"
    assert query.message is not None
    assert query.message.message_id == sent.message_id
    assert query.from_user.id == 1001
    assert await bot.answer_callback_query(query_id, text="Link made", show_alert=True)
    answer = await alice.expect_answer()
    assert (answer.text, answer.show_alert) == ("Link made", True)
    with pytest.raises(BadRequest, match="Query is too old"):
        await bot.answer_callback_query(query_id)


async def test_edits_and_their_errors(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("A", callback_data="a")]]
    )
    sent = await bot.send_message(1001, "Question?", reply_markup=keyboard)
    with pytest.raises(BadRequest, match="Message is not modified"):
        await bot.edit_message_text("Question?", 1001, sent.message_id, reply_markup=keyboard)
    await bot.edit_message_text("<b>Answered</b>", 1001, sent.message_id, parse_mode="HTML")
    edited = await alice.expect_edit(sent.message_id)
    assert (edited.text, edited.plain_text) == ("<b>Answered</b>", "Answered")
    assert (edited.original_text, edited.buttons) == ("Question?", [])
    assert [edit.method for edit in edited.edits] == ["editMessageText"]
    with pytest.raises(BadRequest, match="Message to edit not found"):
        await bot.edit_message_text("x", 1001, 999)
    assert await bot.delete_message(1001, sent.message_id)
    assert alice.inbox[0].deleted


async def test_reply_parameters_attach_the_replied_message(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    said = await alice.send_text("my answer")
    sent = await bot.send_message(
        1001, "Thanks", reply_parameters=telegram.ReplyParameters(said["message_id"])
    )
    assert sent.reply_to_message is not None
    assert sent.reply_to_message.text == "my answer"
    assert (await alice.expect()).reply_to_message_id == said["message_id"]
    with pytest.raises(BadRequest, match="Message to be replied not found"):
        await bot.send_message(1001, "x", reply_parameters=telegram.ReplyParameters(777))


# -- files ---------------------------------------------------------------------------------


async def test_copy_message_of_a_users_photo(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    alice, bob = sandbox.user(1001, "Alice"), sandbox.user(1002, "Bob")
    await bob.send_command("/start")
    photo = await alice.send_photo(caption="our sunset")
    copied = await bot.copy_message(1002, from_chat_id=1001, message_id=photo["message_id"])
    received = await bob.expect(contains="our sunset")
    assert received.kind == "copy"
    assert received.message_id == copied.message_id
    assert received.raw["photo"][0]["file_id"] == photo["photo"][0]["file_id"]
    assert received.copy_of == (1001, photo["message_id"])


async def test_uploaded_photo_downloads_byte_for_byte(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    content = bytes(range(256)) + b"\r\n--boundary-like\r\n" + bytes(range(255, -1, -1))
    sent = await bot.send_photo(1001, photo=content, caption="<i>look</i>", parse_mode="HTML")
    assert sent.caption == "look"
    file = await bot.get_file(sent.photo[-1].file_id)
    assert file.file_path is not None
    assert "/file/bot" in file.file_path
    assert bytes(await file.download_as_bytearray()) == content
    again = await bot.send_document(1001, document=sent.photo[-1].file_id)
    assert again.document is not None
    with pytest.raises(BadRequest, match="Wrong file identifier"):
        await bot.send_voice(1001, voice="no-such-file")


async def test_users_voice_note_can_be_fetched(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    voice = await sandbox.user(1001, "Alice").send_voice()
    update = (await bot.get_updates())[-1]
    assert update.message is not None
    assert update.message.voice is not None
    file = await update.message.voice.get_file()
    assert (await file.download_as_bytearray()).startswith(b"OggS")
    assert update.message.voice.file_id == voice["voice"]["file_id"]


# -- faults and limits --------------------------------------------------------------------


@quiet_retry_after
async def test_injected_429_becomes_retry_after(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    sandbox.faults.fail_next("sendMessage", status=429, retry_after=2)
    with pytest.raises(RetryAfter) as refused:
        await bot.send_message(1001, "hi")
    assert retry_after_of(refused.value) == 2
    assert (await bot.send_message(1001, "hi")).text == "hi"
    assert sandbox.stats.faults_injected == 1


async def test_injected_502_is_a_network_error(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    sandbox.faults.fail_next("sendMessage", status=502, count=2)
    for _ in range(2):
        with pytest.raises(NetworkError, match="Bad Gateway") as failed:
            await bot.send_message(1001, "hi")
        assert not isinstance(failed.value, BadRequest)
    assert (await bot.send_message(1001, "hi")).text == "hi"


async def test_dropped_connection_after_processing_still_delivers(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    sandbox.faults.drop_connection("sendMessage")
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "lost")
    sandbox.faults.drop_connection("sendMessage", after_processing=True)
    with pytest.raises(NetworkError):
        await bot.send_message(1001, "sent but unconfirmed")
    assert [m.text for m in alice.inbox] == ["sent but unconfirmed"]
    assert sandbox.stats.connections_dropped == 2


async def test_slow_method_is_delayed(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    sandbox.faults.slow("sendChatAction", 0.3)
    started = time.monotonic()
    assert await bot.send_chat_action(1001, "typing")
    assert time.monotonic() - started >= 0.3


@quiet_retry_after
async def test_rate_limits_answer_429_when_exceeded(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    for user_id in (1001, 1002, 1003):
        await sandbox.user(user_id, f"U{user_id}").send_command("/start")
    sandbox.enforce_rate_limits(global_per_second=2, per_chat_per_second=1)
    await bot.send_message(1001, "one")
    with pytest.raises(RetryAfter) as per_chat:
        await bot.send_message(1001, "two, too soon")
    assert retry_after_of(per_chat.value) >= 1
    await bot.send_message(1002, "other chat is fine")
    with pytest.raises(RetryAfter):
        await bot.send_message(1003, "but the global bucket is empty")
    assert sandbox.stats.too_many_requests == 2
    assert sandbox.stats.peak_per_second() == 2


# -- webhook -------------------------------------------------------------------------------


async def test_webhook_delivers_with_the_secret_and_retries(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    received: list[tuple[str | None, dict[str, object]]] = []
    statuses = iter([500])  # the first delivery fails, then 200 from here on

    async def receive(request: Request) -> Response:
        received.append((request.headers.get(SECRET_HEADER), await request.json()))
        return Response(status_code=next(statuses, 200))

    receiver = LoopbackServer(Starlette(routes=[Route("/hook", receive, methods=["POST"])]))
    await receiver.start()
    try:
        assert await bot.set_webhook(f"{receiver.url}/hook", secret_token="s3cret")
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        await sandbox.user(1001, "Alice").send_text("via webhook")
        await sandbox.wait_until_delivered()
        info = await bot.get_webhook_info()
        assert info.url.endswith("/hook")
        assert info.pending_update_count == 0
    finally:
        await receiver.stop()
    assert len(received) == 2  # one failure, one retry
    assert {secret for secret, _ in received} == {"s3cret"}
    assert received[-1][1]["message"]["text"] == "via webhook"  # type: ignore[index]
    assert await bot.delete_webhook()
    assert await bot.get_updates() == ()


# -- the server itself -----------------------------------------------------------------------


async def test_the_server_leaves_signal_handlers_alone() -> None:
    before = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    async with BotApiSandbox(TOKEN) as sandbox:
        await asyncio.sleep(0)  # let the server task run its start-up
        during = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
        assert sandbox.port > 0
    assert during == before


async def _exchange(
    sandbox: BotApiSandbox, *requests: bytes, bodiless: tuple[int, ...] = ()
) -> tuple[list[bytes], bool]:
    """Writes the raw requests on one connection and reads an answer to each: its status
    line and body (none for those in `bodiless`); and whether the server then closed."""
    reader, writer = await asyncio.open_connection("127.0.0.1", sandbox.port)
    try:
        for request in requests:
            writer.write(request)
        answers = []
        for index in range(len(requests)):
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
            lines = head.split("\r\n")
            fields = dict(line.lower().split(": ", 1) for line in lines[1:] if ": " in line)
            length = 0 if index in bodiless else int(fields.get("content-length", "0"))
            answers.append(lines[0].encode() + b" " + await reader.readexactly(length))
        try:
            closed = await asyncio.wait_for(reader.read(), 0.3) == b""
        except TimeoutError:
            closed = False
    finally:
        writer.close()
    return answers, closed


async def test_the_server_keeps_connections_and_reads_any_body_framing(
    sandbox: BotApiSandbox,
) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    path = f"/bot{TOKEN}".encode()
    body = b'{"chat_id": 1001, "text": "chunked"}'
    chunked = (
        b"POST %s/sendMessage HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n%x\r\n%s\r\n0\r\n\r\n"
        % (path, 5, body[:5], len(body) - 5, body[5:])
    )
    form = b"chat_id=1001&text=form"
    form_request = (
        b"POST %s/sendMessage HTTP/1.1\r\nHost: x\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: %d\r\n\r\n%s"
        % (path, len(form), form)
    )
    head = b"HEAD %s/getMe HTTP/1.1\r\nHost: x\r\n\r\n" % path
    last = b"GET %s/getMe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % path
    answers, closed = await _exchange(sandbox, chunked, form_request, head, last, bodiless=(2,))
    assert [a.split(b" ", 2)[1] for a in answers] == [b"200"] * 4
    assert b'"text":"chunked"' in answers[0]
    assert b'"text":"form"' in answers[1]
    assert answers[2] == b"HTTP/1.1 200 OK ", "HEAD: no body"
    assert b'"is_bot":true' in answers[3]
    assert closed, "Connection: close is honoured"
    assert [m.text for m in sandbox.user(1001).inbox] == ["chunked", "form"]


async def test_the_server_answers_garbage_with_400_and_closes(sandbox: BotApiSandbox) -> None:
    answers, closed = await _exchange(sandbox, b"NONSENSE\r\n\r\n")
    assert answers[0].startswith(b"HTTP/1.1 400")
    assert closed


async def test_the_server_asks_for_the_body_when_told_to_expect_100_continue(
    sandbox: BotApiSandbox,
) -> None:
    await sandbox.user(1001, "Alice").send_command("/start")
    body = b'{"chat_id": 1001, "text": "after 100"}'
    reader, writer = await asyncio.open_connection("127.0.0.1", sandbox.port)
    try:
        writer.write(
            b"POST /bot%s/sendMessage HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (TOKEN.encode(), len(body))
        )
        interim = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        writer.write(body)
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), 2)
        assert head.startswith(b"HTTP/1.1 200 OK")
    finally:
        writer.close()
    assert [m.text for m in sandbox.user(1001).inbox] == ["after 100"]
