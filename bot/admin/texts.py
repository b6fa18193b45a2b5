"""Words for the operators' /stats."""

from __future__ import annotations

from html import escape

from bot.admin.service import StatsReport, stats_lines


def stats(report: StatsReport) -> str:
    return "<b>Hearth: numbers</b>\n" + "\n".join(escape(line) for line in stats_lines(report))
