"""Encryption at rest: with ENCRYPTION_KEY set, answer texts, check-in notes and the
outbox messages carrying them are stored encrypted; reveals and /history still read
them; old keys keep reading after a rotation; `hearth reencrypt` moves everything to the
current key (and encrypts values stored before encryption was on)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator

import pytest

from bot.cli import main
from bot.config import SettingsError, load_key_settings
from bot.db.crypto import PREFIX, Cipher, KeyMissing, install_cipher, new_key
from bot.kernel.clock import FakeClock
from sandbox import BotApiSandbox, SimulatedUser
from tests.conftest import Running, make_settings
from tests.helpers import Couple, command, find, pair_couple, read_all, rows
from tests.test_checkins_e2e import ask_of, check_in
from tests.test_privacy_e2e import database_text

KEY_1 = new_key()
KEY_2 = new_key()
ANSWER_A = "Encrypted words about the first snow"
ANSWER_B = "Bob's words about the seaside"
NOTE_A = "A note that only Bob may read"


@pytest.fixture
async def encrypted_bot(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> AsyncIterator[Running]:
    from bot.app import Hearth

    settings = make_settings(sandbox.api_root, database_url, encryption_key=KEY_1)
    hearth = Hearth(settings, clock=clock, scheduler=False)
    await hearth.start()
    try:
        yield Running(hearth, sandbox, clock)
    finally:
        await hearth.stop()


async def answer_both(bot: Running, couple: Couple, a: str, b: str) -> None:
    await couple.a.send_text(a)
    await couple.a.expect(contains="Saved.")
    await couple.b.send_text(b)
    await bot.settle()


async def show_history(user: SimulatedUser) -> str:
    """The first round of /history, as the person reads it."""
    page = await command(user, "/history", "page 1 of 1")
    await user.press(page.buttons[0][0].data or "", message_id=page.message_id)
    return "\n".join([(await user.expect()).plain_text for _ in range(3)])


async def stored_values(bot: Running) -> list[str]:
    found = await rows(bot, "SELECT body FROM answer")
    found += await rows(bot, "SELECT a_note FROM checkin")
    found += await rows(bot, "SELECT params FROM outbox")
    return [value if isinstance(value, str) else json.dumps(value) for (value,) in found]


async def reencrypt(monkeypatch: pytest.MonkeyPatch, bot: Running, current: str, old: str) -> int:
    monkeypatch.setenv("DATABASE_URL", str(bot.hearth.engine.url.render_as_string(False)))
    monkeypatch.setenv("ENCRYPTION_KEY", current)
    monkeypatch.setenv("ENCRYPTION_OLD_KEYS", old)
    return await asyncio.to_thread(main, ["reencrypt"])


async def test_stored_encrypted_revealed_in_clear_and_rotated(
    encrypted_bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    bot = encrypted_bot
    couple = await pair_couple(bot)
    await answer_both(bot, couple, ANSWER_A, ANSWER_B)
    reveal = find(await read_all(bot, couple.b), ANSWER_A)
    assert f"Alice:\n{ANSWER_A}" in reveal.plain_text
    await read_all(bot, couple.a)
    await couple.a.send_command("/checkin")
    await couple.a.expect(contains="Check-in started")
    ask_a, ask_b = await ask_of(couple.a), await ask_of(couple.b)
    await check_in(couple.a, ask_a, 5, NOTE_A)
    await check_in(couple.b, ask_b, 4)
    await bot.settle()
    assert any(m.contains(NOTE_A) for m in await read_all(bot, couple.b))
    await read_all(bot, couple.a)

    everything = await database_text(bot)
    for secret in (ANSWER_A, ANSWER_B, NOTE_A):
        assert secret not in everything, secret
    (body,) = (await rows(bot, "SELECT body FROM answer WHERE person_id = :a", a=couple.a.id))[0]
    assert body.startswith(PREFIX)
    assert "stored encrypted" in (await command(couple.a, "/privacy")).plain_text

    # Rotation: KEY_2 writes now, KEY_1 still reads.
    install_cipher(bot.hearth.engine, Cipher(KEY_2, [KEY_1]))
    assert ANSWER_A in await show_history(couple.b)
    await couple.a.send_command("/mydata")
    assert (await couple.a.expect()).kind == "document"

    # Without KEY_1 the old values cannot be read...
    install_cipher(bot.hearth.engine, Cipher(KEY_2))
    with pytest.raises(KeyMissing):
        await bot.hearth.privacy.export(couple.a.id)
    # ... until `hearth reencrypt` moves them all to KEY_2; then KEY_1 can go.
    assert await reencrypt(monkeypatch, bot, KEY_2, KEY_1) == 0
    assert ANSWER_A in await show_history(couple.b)
    data = await bot.hearth.privacy.export(couple.a.id)
    assert data is not None
    assert [a["text"] for a in data["answers"]] == [ANSWER_A]
    assert [c["note"] for c in data["checkins"]] == [NOTE_A]
    only_old = Cipher(KEY_1)
    for value in await stored_values(bot):
        for token in _tokens(value):
            with pytest.raises(KeyMissing):
                only_old.decrypt(token)


def _tokens(value: str) -> list[str]:
    """The encrypted pieces of a stored value (a text column or an outbox params object)."""
    if value.startswith(PREFIX):
        return [value]
    if value.startswith("{"):
        loaded = json.loads(value)
        return [v for v in loaded.values() if isinstance(v, str) and v.startswith(PREFIX)]
    return []


async def test_turning_encryption_on_later_reads_old_plain_rows_and_reencrypts_them(
    bot: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    couple = await pair_couple(bot)
    await answer_both(bot, couple, ANSWER_A, ANSWER_B)
    await read_all(bot, couple.a)
    await read_all(bot, couple.b)
    assert ANSWER_A in await database_text(bot)

    install_cipher(bot.hearth.engine, Cipher(KEY_1))
    assert ANSWER_A in await show_history(couple.b), "plain rows stay readable"
    assert await reencrypt(monkeypatch, bot, KEY_1, "") == 0
    everything = await database_text(bot)
    assert ANSWER_A not in everything
    assert ANSWER_B not in everything
    assert ANSWER_A in await show_history(couple.b)

    # And back: with only old keys, reencrypt stores plain text again.
    assert await reencrypt(monkeypatch, bot, "", KEY_1) == 0
    install_cipher(bot.hearth.engine, Cipher(None))
    assert ANSWER_A in await database_text(bot)


def test_keys_are_checked_and_split(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = make_settings("http://127.0.0.1:1", "sqlite+aiosqlite:///x.db")
    assert settings.cipher_keys == (None, [])
    monkeypatch.setenv("ENCRYPTION_KEY", "not-a-key")
    with pytest.raises(SettingsError, match="ENCRYPTION_KEY is invalid: is not a Fernet key"):
        load_key_settings(_env_file=None)
    monkeypatch.setenv("ENCRYPTION_KEY", KEY_2)
    monkeypatch.setenv("ENCRYPTION_OLD_KEYS", f"{KEY_1}, ")
    assert load_key_settings(_env_file=None).cipher_keys == (KEY_2, [KEY_1])


def test_reencrypt_without_the_right_key_fails_clearly(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", sqlite_url)
    monkeypatch.setenv("ENCRYPTION_KEY", KEY_1)
    monkeypatch.delenv("ENCRYPTION_OLD_KEYS", raising=False)
    assert main(["reencrypt"]) == 0
    assert "0 stored values rewritten, now encrypted" in capsys.readouterr().out
    assert main(["newkey"]) == 0
    assert len(capsys.readouterr().out.strip()) == 44
