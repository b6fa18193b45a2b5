"""Simulated people, groups and channels; the transcript; the control API; and a real
python-telegram-bot Application polling the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import telegram
from telegram.error import Forbidden
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes

from sandbox import BotApiSandbox

TOKEN = "123456:TEST-TOKEN"


@pytest.fixture
async def sandbox() -> AsyncIterator[BotApiSandbox]:
    async with BotApiSandbox(TOKEN) as sb:
        yield sb


@pytest.fixture
async def bot(sandbox: BotApiSandbox) -> AsyncIterator[telegram.Bot]:
    async with telegram.Bot(
        TOKEN, base_url=sandbox.base_url, base_file_url=sandbox.base_file_url
    ) as ptb_bot:
        yield ptb_bot


async def test_expect_reads_in_order_and_explains_a_timeout(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    await bot.send_message(1001, "first")
    await bot.send_message(1001, "second")
    assert (await alice.expect(contains="first")).text == "first"
    assert (await alice.expect()).text == "second"
    with pytest.raises(AssertionError) as waited:
        await alice.expect(timeout=0.05)
    assert "got no new message" in str(waited.value)
    assert "Hearth -> Alice: second" in str(waited.value)  # the recent conversation
    await bot.send_message(1001, "third")
    with pytest.raises(AssertionError, match="expected a message containing 'fourth'"):
        await alice.expect(contains="fourth")
    await alice.expect_no_message(timeout=0.05)
    assert [m.text for m in alice.inbox] == ["first", "second", "third"]


async def test_transcript_reads_as_a_conversation(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    keyboard = telegram.InlineKeyboardMarkup(
        [[telegram.InlineKeyboardButton("Invite my partner", callback_data="invite")]]
    )
    await bot.send_message(
        1001, "Welcome to <b>Hearth</b>", parse_mode="HTML", reply_markup=keyboard
    )
    await alice.press_button("Invite my partner")
    assert sandbox.format_transcript().splitlines() == [
        "Alice: /start",
        "Hearth -> Alice: Welcome to Hearth [Invite my partner]",
        "Alice pressed [Invite my partner]",
    ]
    assert [entry.who for entry in sandbox.transcript] == ["Alice", "bot", "Alice"]


async def test_press_refuses_a_button_that_is_not_there(sandbox: BotApiSandbox) -> None:
    alice = sandbox.user(1001, "Alice")
    with pytest.raises(AssertionError, match="no message from the bot has a button"):
        await alice.press("pair:42")
    with pytest.raises(AssertionError, match=r"no message from the bot has a button \[Yes\]"):
        await alice.press_button("Yes")


async def test_a_tampered_press_can_name_any_data(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    alice = sandbox.user(1001, "Alice")
    await alice.send_command("/start")
    sent = await bot.send_message(1001, "plain message")
    with pytest.raises(AssertionError, match="no message from the bot has a button"):
        await alice.press("pair:999", require_button=True)
    query_id = await alice.press("pair:999")  # as a modified client could send it
    query = (await bot.get_updates())[-1].callback_query
    assert query is not None
    assert (query.id, query.data) == (query_id, "pair:999")
    assert query.message is not None
    assert query.message.message_id == sent.message_id


async def test_user_edits_and_replies(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    alice = sandbox.user(1001, "Alice")
    said = await alice.send_text("first try")
    await alice.edit(said["message_id"], "second try")
    sent = await bot.send_message(1001, "What would you change?")
    await alice.reply_to(sent.message_id, "nothing")
    updates = await bot.get_updates()
    assert updates[0].message is not None
    assert updates[0].message.text == "first try"
    assert updates[1].edited_message is not None
    assert updates[1].edited_message.text == "second try"
    reply = updates[2].message
    assert reply is not None
    assert reply.reply_to_message is not None
    assert reply.reply_to_message.from_user is not None
    assert reply.reply_to_message.from_user.is_bot


async def test_group_add_bot_command_and_leave(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    alice = sandbox.user(1001, "Alice")
    group = sandbox.group(-100123, "Family chat")
    await group.add_bot(by=alice)
    await group.send_text(alice, "just chatting")  # privacy mode: the bot does not see it
    await group.send_command(alice, "/start")
    updates = await bot.get_updates()
    member = updates[0].my_chat_member
    assert member is not None
    assert member.chat.type == "supergroup"
    assert (member.old_chat_member.status, member.new_chat_member.status) == ("left", "member")
    assert updates[1].message is not None
    assert updates[1].message.new_chat_members
    assert [u.message.text for u in updates[2:] if u.message] == ["/start"]
    await bot.send_message(-100123, "I only work in private chats.")
    await group.expect(contains="private chats")
    assert await bot.leave_chat(-100123)
    assert sandbox.left_chats == [-100123]
    with pytest.raises(Forbidden, match="bot is not a member of the supergroup chat"):
        await bot.send_message(-100123, "hello?")
    assert "Hearth left Family chat" in sandbox.format_transcript(-100123)


async def test_channel_admin_and_posts(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    alice = sandbox.user(1001, "Alice")
    channel = sandbox.channel(-100555, "News", username="hearthnews")
    await channel.add_bot(by=alice)
    await channel.post_text("a post")
    updates = await bot.get_updates()
    member = updates[0].my_chat_member
    assert member is not None
    assert member.new_chat_member.status == "administrator"
    assert updates[1].channel_post is not None
    assert updates[1].channel_post.text == "a post"
    sent = await bot.send_message("@hearthnews", "from the bot")
    assert sent.chat.id == -100555
    assert (await channel.expect()).text == "from the bot"


async def test_commands_and_profile_are_stored(sandbox: BotApiSandbox, bot: telegram.Bot) -> None:
    await bot.set_my_commands([("start", "Begin"), ("pause", "Take a break")])
    await bot.set_my_description("Daily questions for two")
    assert [c.command for c in await bot.get_my_commands()] == ["start", "pause"]
    assert sandbox.commands[1] == {"command": "pause", "description": "Take a break"}
    assert sandbox.profile == {"description": "Daily questions for two"}


async def test_control_api_drives_people_from_another_process(
    sandbox: BotApiSandbox, bot: telegram.Bot
) -> None:
    async with httpx.AsyncClient(base_url=f"{sandbox.api_root}/sandbox", trust_env=False) as api:
        sent = await api.post("/users/2001/text", json={"text": "/start", "first_name": "Dana"})
        assert sent.json()["result"]["text"] == "/start"
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Yes", callback_data="yes")]]
        )
        await bot.send_message(2001, "Ready?", reply_markup=keyboard)
        messages = (await api.get("/chats/2001/messages", params={"timeout": 2})).json()
        assert messages["result"][0]["text"] == "Ready?"
        assert messages["result"][0]["buttons"] == [[["Yes", "yes"]]]
        pressed = await api.post("/users/2001/press", json={"button": "Yes"})
        assert pressed.json()["result"]["callback_query_id"]
        missing = await api.post("/users/2001/press", json={"button": "Maybe"})
        assert missing.status_code == 404
        ready_id = messages["result"][0]["message_id"]
        later = await api.get("/chats/2001/messages", params={"after": ready_id})
        assert later.json()["result"] == []
        transcript = (await api.get("/transcript")).json()["result"]
        assert transcript["text"].splitlines()[0] == "Dana: /start"


async def test_a_ptb_application_polls_and_answers(sandbox: BotApiSandbox) -> None:
    """The way the real bot runs: Application + Updater long polling, no test hooks."""

    async def start(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_message is not None
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Invite my partner", callback_data="invite")]]
        )
        await update.effective_message.reply_html("<b>Welcome</b>", reply_markup=keyboard)

    async def pressed(update: telegram.Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.callback_query is not None
        await update.callback_query.answer("Done")
        await update.callback_query.edit_message_text("Invite sent")

    app = (
        Application.builder()
        .token(TOKEN)
        .base_url(sandbox.base_url)
        .base_file_url(sandbox.base_file_url)
        .build()
    )
    app.add_handler(CommandHandler("start", start))
    app.add_handler(CallbackQueryHandler(pressed))
    alice = sandbox.user(1001, "Alice")
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=10)
        await alice.send_command("/start")
        welcome = await alice.expect(contains="Welcome")
        await alice.press_button("Invite my partner")
        assert (await alice.expect_answer()).text == "Done"
        assert (await alice.expect_edit(welcome.message_id)).text == "Invite sent"
        await app.updater.stop()
        await app.stop()
    await sandbox.wait_until_delivered(timeout=2)  # PTB confirmed every update on its way out
