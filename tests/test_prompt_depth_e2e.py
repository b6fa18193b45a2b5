"""Issue 17 end to end: lighter days after a low check-in, and stages chosen in /topics."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from bot.app import Hearth
from bot.kernel.clock import FakeClock
from sandbox import BotApiSandbox
from tests.conftest import Running, make_settings
from tests.helpers import as_date, execute, pair_couple, read_all, rows, tick
from tests.test_checkins_e2e import both_check_in, start_checkin

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"


async def running_with(
    sandbox: BotApiSandbox,
    database_url: str,
    clock: FakeClock,
    tmp_path: Path,
    decks: dict[str, str],
) -> AsyncIterator[Running]:
    """The bot with its own daily decks (and the shipped check-in and reconnect ones)."""
    folder = tmp_path / "prompts"
    folder.mkdir()
    for name in ("checkin.yaml", "reconnect.yaml"):
        shutil.copy(PROMPTS / name, folder / name)
    for deck_id, text in decks.items():
        (folder / f"{deck_id}.yaml").write_text(text, encoding="utf-8")
    settings = make_settings(sandbox.api_root, database_url, prompts_dir=folder)
    hearth = Hearth(settings, clock=clock, scheduler=False)
    await hearth.start()
    try:
        yield Running(hearth, sandbox, clock)
    finally:
        await hearth.stop()


async def depths_of(bot: Running, pair_id: int) -> list[int]:
    found = await rows(
        bot,
        "SELECT p.depth FROM round r JOIN prompt p ON p.id = r.prompt_id "
        "WHERE r.pair_id = :p ORDER BY r.local_date",
        p=pair_id,
    )
    return [int(depth) for (depth,) in found]


def deep_deck() -> str:
    """Two depth-1, three depth-2 and twelve depth-3 questions: without the rule, three
    days in a row without depth 3 would be rare."""
    lines = ["id: deep", "title: Deep", "description: Mostly deep.", "kind: daily"]
    lines += ["language: en", "prompts:"]
    texts = [
        "Which song do you hum when nobody is listening?",
        "What breakfast would make a grey morning better?",
        "Which habit of yours took the longest to learn?",
        "When did a friend surprise you with kindness lately?",
        "What part of your week do you guard most carefully?",
        "What fear have you carried longest, and where did it start?",
        "Which loss changed the way you love people?",
        "What do you wish someone had told you at fifteen?",
        "Which promise to yourself have you kept against the odds?",
        "What would you grieve most if your memory faded?",
        "Where in your life do you still feel like a guest?",
        "What belief about love did you have to unlearn?",
        "Which version of yourself are you most afraid of becoming?",
        "What silence between people taught you something?",
        "When have you felt most alone while among others?",
        "What would forgiving yourself fully change?",
        "Which truth about you takes courage to say aloud?",
    ]
    for number, text in enumerate(texts, start=1):
        depth = 1 if number <= 2 else 2 if number <= 5 else 3
        lines += [f"  - id: deep-{number:02}", f"    depth: {depth}", f"    text: {text}"]
    return "\n".join(lines) + "\n"


@pytest.fixture
async def deep_bot(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Running]:
    async for running in running_with(
        sandbox, database_url, clock, tmp_path, {"deep": deep_deck()}
    ):
        yield running


async def test_a_low_check_in_keeps_the_next_three_days_at_depth_two(deep_bot: Running) -> None:
    bot = deep_bot
    couple = await pair_couple(bot)
    for _ in range(20):
        bot.clock.advance(timedelta(days=1))
        await tick(bot)
    # Both answered everything so far: depth 3 is open (five depth-2 answers each).
    await execute(
        bot,
        "UPDATE round SET a_answered_at = created_at, b_answered_at = created_at, "
        "status = 'revealed', revealed_at = created_at WHERE pair_id = :p",
        p=couple.pair_id,
    )
    before = await depths_of(bot, couple.pair_id)
    assert max(before[:15]) <= 2, "the first two weeks stay at depth 1 and 2"

    await bot.settle()
    await read_all(bot, couple.a)  # the questions so far: out of the way of the check-in
    await read_all(bot, couple.b)
    await start_checkin(couple)
    await both_check_in(bot, couple, 2, 4)  # one partner feels far apart
    start = len(await depths_of(bot, couple.pair_id))
    for _ in range(3):
        bot.clock.advance(timedelta(days=1))
        await tick(bot)
    lighter = (await depths_of(bot, couple.pair_id))[start:]
    assert len(lighter) == 3
    assert max(lighter) <= 2

    # Afterwards deep questions come back (answered, so the unlock still holds).
    for _ in range(25):
        bot.clock.advance(timedelta(days=1))
        await tick(bot)
        await execute(
            bot,
            "UPDATE round SET a_answered_at = created_at, b_answered_at = created_at "
            "WHERE pair_id = :p",
            p=couple.pair_id,
        )
    assert 3 in (await depths_of(bot, couple.pair_id))[start + 3 :]


STAGE_DECK = """id: stage-test
title: Where we are
description: Questions for one situation or another.
kind: daily
language: en
prompts:
  - id: stage-test-01
    depth: 1
    text: What is one plain thing you enjoyed about today?
  - id: stage-test-02
    depth: 1
    text: What would make the next call between you feel warm?
    for: [long-distance]
  - id: stage-test-03
    depth: 1
    text: What helps you stay patient on a tiring family evening?
    for: [parents]
  - id: stage-test-04
    depth: 1
    text: What part of your next reunion are you looking forward to most?
    for: [long-distance]
"""

OPT_IN_DECK = """id: opt-in-test
title: Past and healing
description: Gentle questions about what came before.
kind: daily
language: en
enabled_by_default: false
prompts:
  - id: opt-in-test-01
    depth: 1
    text: Which kind word from long ago still stays with you?
"""


@pytest.fixture
async def staged_bot(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Running]:
    """The bot with a tiny daily library: one deck with `for:` prompts, one opt-in deck."""
    decks = {"stage-test": STAGE_DECK, "opt-in-test": OPT_IN_DECK}
    async for running in running_with(sandbox, database_url, clock, tmp_path, decks):
        yield running


async def test_stages_chosen_in_topics_filter_the_questions(staged_bot: Running) -> None:
    bot = staged_bot
    couple = await pair_couple(bot)
    await couple.a.send_command("/topics")
    menu = await couple.a.expect(contains="Choose the topics")
    labels = [button.text for row in menu.buttons for button in row]
    assert "▫️ Past and healing" in labels, "an opt-in deck starts off"
    assert "✅ Where we are" in labels
    assert "▫️ Long-distance" in labels, "no stage chosen: not said"
    await couple.a.press("tp:stage:long-distance")
    edited = await couple.a.expect_edit(menu.message_id)
    assert "✅ Long-distance" in [button.text for row in edited.buttons for button in row]

    for _ in range(6):
        bot.clock.advance(timedelta(days=1))
        await tick(bot)
    sent = {
        prompt_id
        for (prompt_id,) in await rows(
            bot,
            "SELECT prompt_id FROM round WHERE pair_id = :p AND local_date > "
            "(SELECT min(local_date) FROM round WHERE pair_id = :p)",
            p=couple.pair_id,
        )
    }
    assert {"stage-test-02", "stage-test-04"} <= sent, "long-distance questions reach them"
    assert "stage-test-03" not in sent, "a parents' question does not"
    assert "opt-in-test-01" not in sent, "an opt-in deck stays off until switched on"


SEASONAL_DECK = """id: seasons
title: Seasons
description: For a few days of the year.
kind: seasonal
language: en
prompts:
  - id: seasons-01
    depth: 1
    text: What from this year would you like to carry into the next?
    occasion: year-end
  - id: seasons-02
    depth: 1
    text: What small hope do you hold for the months ahead?
    occasion: new-year
"""


@pytest.fixture
async def seasonal_bot(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Running]:
    decks = {"stage-test": STAGE_DECK, "seasons": SEASONAL_DECK}
    async for running in running_with(sandbox, database_url, clock, tmp_path, decks):
        yield running


async def test_seasonal_questions_arrive_on_their_day(seasonal_bot: Running) -> None:
    bot = seasonal_bot
    couple = await pair_couple(bot)
    while bot.clock.now().date() < date(2027, 1, 2):
        bot.clock.advance(timedelta(days=1))
        await tick(bot)
    found = await rows(
        bot,
        "SELECT local_date, prompt_id FROM round WHERE pair_id = :p ORDER BY local_date",
        p=couple.pair_id,
    )
    by_date = {as_date(day): prompt_id for day, prompt_id in found}
    assert by_date[date(2026, 12, 31)] == "seasons-01"
    assert by_date[date(2027, 1, 1)] == "seasons-02"
    seasonal = [prompt_id for prompt_id in by_date.values() if prompt_id.startswith("seasons")]
    assert len(seasonal) == 2, "only on their days"
