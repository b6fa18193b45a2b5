"""Pure rules of issue 11: notices about shared settings (bot/notices/rules.py) and
which Telegram reactions are news (bot/rounds/rules.py)."""

from __future__ import annotations

from datetime import timedelta

from bot.notices.rules import NOTICE_DELAY, Change, fold, seen
from bot.rounds.rules import added_emojis


def test_the_wait_is_a_few_minutes() -> None:
    assert timedelta(minutes=1) <= NOTICE_DELAY < timedelta(minutes=5)


def test_a_change_folds_into_the_waiting_notice_keeping_what_the_reader_knew() -> None:
    first = fold(None, {"enabled": True}, {"enabled": False})
    assert first == Change({"enabled": True}, {"enabled": False})
    assert fold(first, {"enabled": False}, {"enabled": True}) is None  # undone: nothing


def test_toggles_of_several_keys_keep_only_those_that_moved() -> None:
    pending = None
    for deck, before, after in [("a", True, False), ("b", True, False), ("a", False, True)]:
        pending = fold(pending, {deck: before}, {deck: after})
    assert pending == Change({"b": True}, {"b": False})


def test_an_unchanged_setting_is_not_worth_a_notice() -> None:
    assert fold(None, {"cadence": "weekly"}, {"cadence": "weekly"}) is None


def test_what_the_reader_set_themselves_drops_out() -> None:
    pending = Change({"a": True, "b": True}, {"a": False, "b": False})
    assert seen(pending, {"a": True}) == Change({"b": True}, {"b": False})
    assert seen(pending, {"a": False, "b": False}) is None
    assert seen(None, {"a": True}) is None


def test_only_newly_added_emojis_are_news() -> None:
    assert added_emojis([], ["❤"]) == ["❤"]
    assert added_emojis(["❤"], []) == []
    assert added_emojis(["❤"], ["❤", "🔥"]) == ["🔥"]
    assert added_emojis(["❤", "🔥"], ["🔥"]) == []
