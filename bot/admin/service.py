"""The operators' numbers (`/stats`, `hearth stats`): counts only, never anyone's words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.admin.repository import StatsRepository
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import Clock
from bot.kernel.words import plural

STAT_WINDOWS = (1, 7, 30)


@dataclass(frozen=True)
class StatsWindow:
    days: int
    pairs_created: int
    questions: int
    both_answered: int
    checkins: int
    checkins_done: int
    blocked: int

    @property
    def both_answered_rate(self) -> float | None:
        return self.both_answered / self.questions if self.questions else None


@dataclass(frozen=True)
class StatsReport:
    pairs_active: int
    pairs_paused: int
    blocked_now: int
    windows: list[StatsWindow]


class StatsService:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def stats(self) -> StatsReport:
        now = self._clock.now()
        async with self._uow(read_only=True) as uow:
            counts = StatsRepository(uow.session)
            running, paused = await counts.pair_counts(now)
            blocked = await counts.blocked_now()
            windows = [
                StatsWindow(days, **await counts.window_counts(now - timedelta(days=days)))
                for days in STAT_WINDOWS
            ]
        return StatsReport(running, paused, blocked, windows)


def stats_lines(report: StatsReport) -> list[str]:
    """The report as plain lines, for `/stats` and `hearth stats`."""
    lines = [
        f"Active pairs: {report.pairs_active} running, {report.pairs_paused} paused.",
        f"People who have blocked the bot: {report.blocked_now}.",
    ]
    for window in report.windows:
        rate = window.both_answered_rate
        lines.append(
            f"Last {plural(window.days, 'day', 'days')}: "
            f"{plural(window.pairs_created, 'new pair', 'new pairs')}, "
            f"{plural(window.questions, 'question', 'questions')} sent, "
            f"{'-' if rate is None else f'{rate:.0%}'} answered by both, "
            f"{plural(window.checkins, 'check-in', 'check-ins')} "
            f"({window.checkins_done} completed), "
            f"{plural(window.blocked, 'person', 'people')} blocked the bot."
        )
    return lines
