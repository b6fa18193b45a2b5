"""Decks in the database: sync by id, retire and restore, hot reload, topics, stats."""

from __future__ import annotations

import asyncio
import logging
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import time, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.cli import main
from bot.db.engine import create_engine
from bot.db.people import PairRepository, PersonRepository
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import FakeClock
from bot.kernel.people import PersonInfo
from bot.kernel.results import Refusal, Refused
from bot.prompts.decks import Deck
from bot.prompts.library import (
    Changes,
    PromptCatalog,
    PromptFilesInvalid,
    PromptSync,
    load_valid_decks,
)
from bot.prompts.repository import PromptRepository
from bot.topics.repository import TopicRepository
from bot.topics.service import Topic, TopicService

PROMPTS = Path(__file__).resolve().parent.parent / "prompts"
DECKS = load_valid_decks(PROMPTS).decks
PROMPT_COUNT = sum(len(deck.prompts) for deck in DECKS)


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(database_url)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def uow(engine: AsyncEngine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(engine)


@pytest.fixture
def sync(uow: UnitOfWorkFactory, clock: FakeClock) -> PromptSync:
    return PromptSync(uow, clock)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    copy = tmp_path / "prompts"
    shutil.copytree(PROMPTS, copy)
    return copy


def deck(deck_id: str, decks: tuple[Deck, ...] = DECKS) -> Deck:
    return next(deck for deck in decks if deck.id == deck_id)


def without(decks: tuple[Deck, ...], deck_id: str) -> tuple[Deck, ...]:
    return tuple(deck for deck in decks if deck.id != deck_id)


def edited(decks: tuple[Deck, ...], deck_id: str, **changes: object) -> tuple[Deck, ...]:
    return tuple(replace(deck, **changes) if deck.id == deck_id else deck for deck in decks)  # type: ignore[arg-type]


async def prompt_rows(uow: UnitOfWorkFactory) -> dict[str, dict[str, Any]]:
    async with uow(read_only=True) as work:
        return {row.id: row.model_dump() for row in await PromptRepository(work.session).prompts()}


async def deck_rows(uow: UnitOfWorkFactory) -> dict[str, dict[str, Any]]:
    async with uow(read_only=True) as work:
        return {row.id: row.model_dump() for row in await PromptRepository(work.session).decks()}


# --- sync -------------------------------------------------------------------------------


async def test_sync_adds_everything_once(sync: PromptSync, uow: UnitOfWorkFactory) -> None:
    report = await sync.sync(DECKS)
    assert report.decks == Changes(added=len(DECKS))
    assert report.prompts == Changes(added=PROMPT_COUNT)
    again = await sync.sync(DECKS)
    assert not again.changed
    rows = await prompt_rows(uow)
    assert len(rows) == PROMPT_COUNT
    trust_07 = deck("trust").prompts[6]
    row = rows[trust_07.id]
    assert {key: row[key] for key in ("deck_id", "text", "depth", "tags", "kind", "language")} == {
        "deck_id": "trust",
        "text": trust_07.text,
        "depth": trust_07.depth,
        "tags": list(trust_07.tags),
        "kind": "daily",
        "language": "en",
    }
    assert row["retired_at"] is None
    assert (await deck_rows(uow))["trust"]["title"] == "Trust"


async def test_sync_updates_changed_texts_depths_tags_and_titles(
    sync: PromptSync, uow: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await sync.sync(DECKS)
    trust = deck("trust")
    first = replace(trust.prompts[0], text="What makes your partner easy to count on?", depth=2)
    second = replace(trust.prompts[1], tags=("family",))
    changed = edited(
        DECKS, "trust", title="Trust, slowly", prompts=(first, second, *trust.prompts[2:])
    )
    clock.advance(timedelta(days=1))
    report = await sync.sync(changed)
    assert report.decks == Changes(updated=1)
    assert report.prompts == Changes(updated=2)
    rows = await prompt_rows(uow)
    row, other = rows[first.id], rows[second.id]
    assert (row["text"], row["depth"]) == (first.text, 2)
    assert row["updated_at"] == clock.now()
    assert row["created_at"] == clock.now() - timedelta(days=1)
    assert other["tags"] == ["family"]
    assert (await deck_rows(uow))["trust"]["title"] == "Trust, slowly"


async def test_removed_ids_retire_and_come_back(
    sync: PromptSync, uow: UnitOfWorkFactory, clock: FakeClock
) -> None:
    await sync.sync(DECKS)
    trust = deck("trust")
    gone = trust.prompts[3]
    fewer = edited(
        without(DECKS, "play-and-lightness"),
        "trust",
        prompts=tuple(p for p in trust.prompts if p != gone),
    )
    play_count = len(deck("play-and-lightness").prompts)
    clock.advance(timedelta(hours=1))
    report = await sync.sync(fewer)
    assert report.decks == Changes(retired=1)
    assert report.prompts == Changes(retired=1 + play_count)
    rows = await prompt_rows(uow)
    assert len(rows) == PROMPT_COUNT  # nothing deleted
    assert rows[gone.id]["retired_at"] == clock.now()
    assert (await deck_rows(uow))["play-and-lightness"]["retired_at"] == clock.now()

    assert not (await sync.sync(fewer)).changed  # retiring twice changes nothing

    back = await sync.sync(DECKS)
    assert back.decks == Changes(restored=1)
    assert back.prompts == Changes(restored=1 + play_count)
    assert (await prompt_rows(uow))[gone.id]["retired_at"] is None
    assert all(d["retired_at"] is None for d in (await deck_rows(uow)).values())


# --- the catalog: start-up and hot reload -------------------------------------------------


async def test_start_loads_syncs_and_looks_up(folder: Path, sync: PromptSync) -> None:
    catalog = PromptCatalog(folder, sync)
    result = await catalog.start()
    assert result.ok
    assert len(catalog.decks) == len(DECKS)
    assert catalog.prompt("trust-07") == deck("trust").prompts[6]
    assert catalog.deck("trust") == deck("trust")
    assert [p.id for p in catalog.prompts(deck_id="trust")] == [p.id for p in deck("trust").prompts]
    assert {p.kind for p in catalog.prompts(kind="checkin")} == {"checkin"}
    assert all(p.kind == "daily" for p in catalog.eligible())
    chosen = catalog.choose_daily(1, [], 0)
    assert chosen is not None
    assert chosen.depth == 1
    assert not await catalog.reload_if_changed()


async def test_start_refuses_invalid_files(folder: Path, sync: PromptSync) -> None:
    path = folder / "trust.yaml"
    path.write_text(path.read_text().replace("depth: 2", "depth: 5", 1))
    with pytest.raises(PromptFilesInvalid) as raised:
        await PromptCatalog(folder, sync).start()
    assert f"{path}:" in str(raised.value)
    assert "depth must be 1" in str(raised.value)


async def test_hot_reload_picks_up_a_valid_edit(
    folder: Path, sync: PromptSync, uow: UnitOfWorkFactory
) -> None:
    catalog = PromptCatalog(folder, sync)
    await catalog.start()
    path = folder / "trust.yaml"
    old = deck("trust").prompts[0].text
    new = "What does your partner do that makes you feel you can always count on them?"
    path.write_text(path.read_text().replace(old, new))
    assert await catalog.reload_if_changed()
    found = catalog.prompt("trust-01")
    assert found is not None
    assert found.text == new
    assert (await prompt_rows(uow))["trust-01"]["text"] == new
    assert not await catalog.reload_if_changed()


async def test_hot_reload_keeps_the_last_good_decks_on_an_invalid_edit(
    folder: Path, sync: PromptSync, uow: UnitOfWorkFactory, caplog: pytest.LogCaptureFixture
) -> None:
    catalog = PromptCatalog(folder, sync)
    await catalog.start()
    path = folder / "trust.yaml"
    good = path.read_text()
    broken = good.replace("  - id: trust-02\n", "  - id: trust-01\n")
    path.write_text(broken)
    with caplog.at_level(logging.WARNING, logger="bot.prompts.library"):
        assert not await catalog.reload_if_changed()
    assert catalog.prompt("trust-02") == deck("trust").prompts[1]
    line = broken.splitlines().index("  - id: trust-01", 10) + 1
    messages = [record.getMessage() for record in caplog.records]
    assert any("keeping the last good decks" in message for message in messages)
    assert any(message.startswith(f"{path}:{line}: question id") for message in messages)
    assert (await prompt_rows(uow))["trust-02"]["retired_at"] is None

    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.prompts.library"):
        assert not await catalog.reload_if_changed()
    assert caplog.records == []  # the same broken files are reported once

    path.write_text(good.replace("count on them?", "count on them, day to day?"))
    assert await catalog.reload_if_changed()
    found = catalog.prompt("trust-01")
    assert found is not None
    assert found.text.endswith("day to day?")


async def test_hot_reload_sees_removed_and_added_files(
    folder: Path, sync: PromptSync, uow: UnitOfWorkFactory
) -> None:
    catalog = PromptCatalog(folder, sync)
    await catalog.start()
    moved = folder.parent / "play-and-lightness.yaml"
    translated = folder.parent / "play-and-lightness.es.yaml"
    (folder / "play-and-lightness.yaml").rename(moved)
    (folder / "es" / "play-and-lightness.yaml").rename(translated)  # a deck goes with them
    assert await catalog.reload_if_changed()
    assert catalog.deck("play-and-lightness") is None
    assert (await deck_rows(uow))["play-and-lightness"]["retired_at"] is not None
    moved.rename(folder / "play-and-lightness.yaml")
    translated.rename(folder / "es" / "play-and-lightness.yaml")
    assert await catalog.reload_if_changed()
    assert catalog.deck("play-and-lightness") is not None


async def test_same_size_edit_is_caught_by_the_periodic_content_check(folder: Path) -> None:
    catalog = PromptCatalog(folder, content_check_every=3)
    await catalog.start()
    path = folder / "trust.yaml"
    text = path.read_text()
    stat = path.stat()
    path.write_text(text.replace("count on them?", "count on them!"))
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same size, same time
    results = [await catalog.reload_if_changed() for _ in range(3)]
    assert results == [False, False, True]


# --- topics ---------------------------------------------------------------------------------


async def make_pair(uow: UnitOfWorkFactory, clock: FakeClock) -> int:
    async with uow() as work:
        await PersonRepository(work.session).upsert(PersonInfo(1, "Ana"), clock.now())
        await PersonRepository(work.session).upsert(PersonInfo(2, "Bo"), clock.now())
        pair = await PairRepository(work.session).create(1, 2, clock.now(), "UTC", time(20, 0))
        await work.commit()
    assert pair.id is not None
    return pair.id


async def test_topics_list_daily_decks_and_toggle(
    folder: Path, sync: PromptSync, uow: UnitOfWorkFactory, clock: FakeClock
) -> None:
    catalog = PromptCatalog(folder, sync)
    await catalog.start()
    topics = TopicService(uow, catalog)
    pair_id = await make_pair(uow, clock)

    listed = await topics.topics_for(pair_id)
    daily = [d for d in DECKS if d.kind == "daily"]
    assert listed == [Topic(d.id, d.title, d.enabled_by_default) for d in daily]

    assert await topics.toggle_topic(pair_id, "trust") is False
    assert await topics.toggle_topic(pair_id, "hard-days") is False
    assert await topics.toggle_topic(pair_id, "hard-days") is True
    assert await topics.toggle_topic(pair_id, "checkin") == Refused(Refusal.STALE_BUTTON)
    assert await topics.toggle_topic(pair_id, "no-such-deck") == Refused(Refusal.STALE_BUTTON)

    states = {topic.deck_id: topic.enabled for topic in await topics.topics_for(pair_id)}
    assert states["trust"] is False
    assert states["hard-days"] is True
    async with uow(read_only=True) as work:
        disabled = await TopicRepository(work.session).disabled_decks(pair_id)
        assert await TopicRepository(work.session).disabled_decks(pair_id + 1) == set()
    assert disabled == {"trust"}
    chosen = [
        catalog.choose_daily(pair_id, [], age, disabled_decks=disabled) for age in range(0, 40)
    ]
    assert all(p is not None and p.deck_id != "trust" for p in chosen)


async def test_concurrent_toggles_both_count(
    folder: Path, sync: PromptSync, uow: UnitOfWorkFactory, clock: FakeClock
) -> None:
    catalog = PromptCatalog(folder, sync)
    await catalog.start()
    topics = TopicService(uow, catalog)
    pair_id = await make_pair(uow, clock)
    await asyncio.gather(*(topics.toggle_topic(pair_id, "trust") for _ in range(4)))
    states = {topic.deck_id: topic.enabled for topic in await topics.topics_for(pair_id)}
    assert states["trust"] is True


# --- stats ----------------------------------------------------------------------------------


async def test_stats_list_every_prompt(sync: PromptSync, uow: UnitOfWorkFactory) -> None:
    await sync.sync(DECKS)
    async with uow(read_only=True) as work:
        stats = await PromptRepository(work.session).stats()
        trust = await PromptRepository(work.session).stats("trust")
    assert len(stats) == PROMPT_COUNT
    assert [stat.prompt_id for stat in trust] == [p.id for p in deck("trust").prompts]
    assert all(stat.sent == 0 and stat.answer_rate is None for stat in stats)


def test_cli_stats_needs_only_the_database_url(
    database_url: str,
    clock: FakeClock,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    async def fill() -> None:
        engine = create_engine(database_url)
        try:
            await PromptSync(UnitOfWorkFactory(engine), clock).sync(DECKS)
        finally:
            await engine.dispose()

    asyncio.run(fill())
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["prompts", "stats", "--deck", "trust", "--sort", "answer_rate"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "SENT", "ANSWERED", "MEDIAN", "SKIPPED"]
    assert lines[1].split() == ["trust-01", "0", "-", "-", "0"]
    legend = next(i for i, line in enumerate(lines) if line.startswith("ANSWERED:"))
    assert legend == 1 + len(deck("trust").prompts)  # the header, a line per question
    assert "BY DEPTH" in lines[legend + 1 :]
