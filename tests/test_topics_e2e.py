"""/topics end to end, and months of simulated days without a repeated question."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import Running
from tests.helpers import pair_couple, rows, scalar, tick


async def test_topics_toggle_for_the_pair_and_selection_honours_them(bot: Running) -> None:
    couple = await pair_couple(bot)
    await couple.a.send_command("/topics")
    menu = await couple.a.expect(contains="Choose the topics")
    first = menu.buttons[0][0]
    assert first.text.startswith("✅")
    assert first.data is not None
    await couple.a.press(first.data)
    edited = await couple.a.expect_edit(menu.message_id)
    assert edited.buttons[0][0].text.startswith("▫️")
    deck_id = first.data.removeprefix("tp:")
    assert await scalar(
        bot,
        "SELECT enabled FROM pair_topic WHERE pair_id = :p AND deck_id = :d",
        p=couple.pair_id,
        d=deck_id,
    ) in (False, 0)

    # Someone from another pair pressing the same button changes only their own pair.
    other = await pair_couple(bot, (2001, "Cleo"), (2002, "Dan"))
    await other.a.press(first.data)
    await bot.settle()
    assert (
        await scalar(bot, "SELECT count(*) FROM pair_topic WHERE pair_id = :p", p=couple.pair_id)
        == 1
    )

    for _ in range(20):
        bot.clock.advance(timedelta(days=1))
        await tick(bot)
    decks = await rows(
        bot,
        "SELECT p.deck_id FROM round r JOIN prompt p ON p.id = r.prompt_id "
        "WHERE r.pair_id = :pair AND r.id > (SELECT min(id) FROM round WHERE pair_id = :pair)",
        pair=couple.pair_id,
    )
    assert decks
    assert all(deck != deck_id for (deck,) in decks)


async def test_a_pair_never_sees_a_repeat_before_the_deck_set_is_used_up(bot: Running) -> None:
    couple = await pair_couple(bot)
    # This couple never answers, so depth 3 never opens (it waits for five depth-2 answers
    # from each): what it can get is every depth-1 and depth-2 question.
    # Nor opt-in decks (off until switched on) or questions for a stage it never chose.
    catalog = bot.hearth.catalog
    eligible = sum(
        1
        for prompt in catalog.prompts(kind="daily")
        if prompt.depth <= 2
        and not prompt.stages
        and catalog.deck(prompt.deck_id).enabled_by_default
    )
    for _ in range(eligible + 5):
        bot.clock.advance(timedelta(days=1))
        await bot.hearth.tick()
    await bot.settle()
    sent = await rows(
        bot,
        "SELECT r.prompt_id, p.kind, p.depth FROM round r JOIN prompt p ON p.id = r.prompt_id "
        "WHERE r.pair_id = :p ORDER BY r.local_date",
        p=couple.pair_id,
    )
    assert len(sent) == eligible + 5  # the pairing question, then one per day from tomorrow
    # New Year's Eve, New Year and the pairing's anniversary bring a seasonal question.
    daily = [(prompt, depth) for prompt, kind, depth in sent if kind == "daily"]
    assert len(daily) >= eligible
    first_cycle = [prompt for prompt, _ in daily[:eligible]]
    assert len(set(first_cycle)) == eligible, "a question repeated before all were used"
    depths = [depth for _, depth in daily]
    assert set(depths[:6]) == {1}, "the first week (6 rounds here) stays light"
    assert 2 in set(depths[7:60])
    assert 3 not in depths, "depth 3 waits until both partners have answered depth-2 questions"
