"""Curator numbers: how often each prompt was answered by both or skipped, grouped by
deck, depth and language (`hearth prompts stats`). Pure, standard library only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot.prompts.decks import SOURCE_LANGUAGE


@dataclass(frozen=True)
class PromptStat:
    """How one prompt is doing. `answer_rate` counts rounds where both partners answered."""

    prompt_id: str
    deck_id: str
    depth: int
    text: str
    retired: bool
    sent: int
    answered_by_both: int
    median_answer_length: float | None
    skipped: int
    language: str = SOURCE_LANGUAGE

    @property
    def answer_rate(self) -> float | None:
        return self.answered_by_both / self.sent if self.sent else None

    @property
    def skip_rate(self) -> float | None:
        return self.skipped / self.sent if self.sent else None


# A prompt is "skipped often" once it has been skipped at least this many times and in at
# least this share of its sends: a few sends prove nothing, and a popular prompt skipped
# now and then is fine.
OFTEN_SKIPPED_MIN = 3


OFTEN_SKIPPED_SHARE = 0.25


def skipped_often(stats: Iterable[PromptStat]) -> list[PromptStat]:
    """The prompts couples skip often (see `OFTEN_SKIPPED_*`), most skipped share first."""
    found = [
        stat
        for stat in stats
        if stat.skipped >= OFTEN_SKIPPED_MIN and (stat.skip_rate or 0) >= OFTEN_SKIPPED_SHARE
    ]
    return sorted(found, key=lambda stat: (-(stat.skip_rate or 0), stat.prompt_id))


@dataclass(frozen=True)
class GroupRate:
    """Both-answered rate of a group of prompts (a deck, a depth or a language)."""

    group: str
    sent: int
    answered_by_both: int

    @property
    def answer_rate(self) -> float | None:
        return self.answered_by_both / self.sent if self.sent else None


STAT_GROUPS: dict[str, Callable[[PromptStat], str]] = {
    "deck": lambda stat: stat.deck_id,
    "depth": lambda stat: str(stat.depth),
    "language": lambda stat: stat.language,
}


def rates_by(stats: Iterable[PromptStat], group: str) -> list[GroupRate]:
    """Sent and both-answered summed per deck, depth or language, in that group's order."""
    key = STAT_GROUPS[group]
    sent: Counter[str] = Counter()
    both: Counter[str] = Counter()
    for stat in stats:
        sent[key(stat)] += stat.sent
        both[key(stat)] += stat.answered_by_both
    return [GroupRate(name, sent[name], both[name]) for name in sorted(sent)]


STAT_SORTS = ("sent", "answer_rate", "median_length", "skipped")


def sort_stats(
    stats: Iterable[PromptStat], by: str, *, ascending: bool = False
) -> list[PromptStat]:
    """Sort by a column of `STAT_SORTS`, highest first unless `ascending`; blanks go last."""
    keys: dict[str, Callable[[PromptStat], float | None]] = {
        "sent": lambda stat: stat.sent,
        "answer_rate": lambda stat: stat.answer_rate,
        "median_length": lambda stat: stat.median_answer_length,
        "skipped": lambda stat: stat.skipped,
    }
    if by not in keys:
        raise ValueError(f"cannot sort by {by!r}; use one of {', '.join(STAT_SORTS)}")
    key = keys[by]
    ordered = sorted(stats, key=lambda stat: stat.prompt_id)
    present = [stat for stat in ordered if key(stat) is not None]
    blank = [stat for stat in ordered if key(stat) is None]
    present.sort(key=lambda stat: float(key(stat) or 0), reverse=not ascending)
    return present + blank
