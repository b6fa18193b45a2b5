"""The /trend picture: both partners' "how connected have you felt?" answers over time,
plus two short, warm lines of text to go with it.

Drawn with matplotlib's object API (``Figure`` + ``FigureCanvasAgg``), never pyplot: no
global figure registry, no backend switching, safe to call from worker threads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from io import BytesIO
from typing import TYPE_CHECKING

from bot.kernel.words import plural

if TYPE_CHECKING:
    from matplotlib.text import Text

# matplotlib is imported where a chart is drawn, not at start-up: it is about 50 MB of a
# running bot's memory, and most bots draw a chart rarely (the idle-footprint benchmark).

RATING_LABELS: dict[int, str] = {
    1: "Far apart",
    2: "A bit distant",
    3: "Okay",
    4: "Close",
    5: "Very close",
}

TITLE = "How connected you've felt"

# Okabe-Ito: distinguishable with the common colour-vision deficiencies, and in greyscale.
COLOUR_A = "#D55E00"  # vermillion
COLOUR_B = "#0072B2"  # blue

FIG_SIZE_IN = 7.2
DPI = 150  # 7.2 in x 150 dpi = 1080 px square
TITLE_PT = 20
TICK_PT = 14
LEGEND_PT = 14
LEGEND_NAME_CHARS = 20
MAX_X_TICKS = 5
# Partners often give the same answer; nudge the two lines apart a little so neither hides.
NUDGE = 0.06
# Half-to-half change in the average answer that counts as a real shift.
DIRECTION_THRESHOLD = 0.5

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class TrendPoint:
    day: date  # the check-in's date on the reader's calendar
    rating_a: int | None  # the reader's: 1..5, None if they did not answer that check-in
    rating_b: int | None  # the partner's


def short_day(day: date) -> str:
    """'3 Mar': no zero padding, English month, independent of the process locale."""
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _check(points: Sequence[TrendPoint]) -> list[TrendPoint]:
    for point in points:
        for rating in (point.rating_a, point.rating_b):
            if rating is not None and rating not in RATING_LABELS:
                raise ValueError(f"rating out of range 1..5: {rating!r}")
    return sorted(points, key=lambda point: point.day)


# ---------------------------------------------------------------------------------------
# Text for the picture
# ---------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _drawable_codepoints() -> frozenset[int]:
    """Code points the default font can draw (the runtime image ships no system fonts, so
    this is matplotlib's bundled DejaVu Sans unless configured otherwise)."""
    from matplotlib.font_manager import FontProperties, findfont, get_font

    font = get_font(findfont(FontProperties()))
    return frozenset(font.get_charmap())


def chart_name(name: str, fallback: str) -> str:
    """A name as it can safely appear in the legend: one line, only characters the font
    has (emoji become nothing rather than boxes), at most ~20 characters."""
    drawable = _drawable_codepoints()
    kept = "".join(ch for ch in name if ch.isspace() or ord(ch) in drawable)
    kept = _WHITESPACE.sub(" ", kept).strip()
    if not kept:
        return fallback
    if len(kept) > LEGEND_NAME_CHARS:
        kept = kept[: LEGEND_NAME_CHARS - 1].rstrip() + "…"
    return kept


def _literal(text: Text) -> None:
    """Show the string as typed: no mathtext ('$am' stays '$am'), no LaTeX."""
    text.set_parse_math(False)
    text.set_usetex(False)


# ---------------------------------------------------------------------------------------
# The picture
# ---------------------------------------------------------------------------------------


def x_ticks(days: Sequence[date]) -> list[date]:
    """Up to MAX_X_TICKS of the check-in days themselves, first and last included, picked
    evenly by position: each date sits under a point, never between two."""
    unique = sorted(set(days))
    if len(unique) <= MAX_X_TICKS:
        return unique
    last = len(unique) - 1
    picks = sorted({round(i * last / (MAX_X_TICKS - 1)) for i in range(MAX_X_TICKS)})
    return [unique[i] for i in picks]


def _x_label(ticks: list[date]) -> dict[float, str]:
    """'3 Mar' per tick; when the period spans more than one year, the year goes under the
    first tick and under every tick where it changes."""
    several_years = ticks[0].year != ticks[-1].year
    labels: dict[float, str] = {}
    previous_year: int | None = None
    for day in ticks:
        label = short_day(day)
        if several_years and day.year != previous_year:
            label += f"\n{day.year}"
        previous_year = day.year
        labels[float(day.toordinal())] = label
    return labels


def _marker_size(count: int) -> float:
    if count <= 20:
        return 10.0
    if count <= 60:
        return 7.0
    return 4.0


def render_trend_png(points: Sequence[TrendPoint], name_a: str, name_b: str) -> bytes:
    """A ~1080x1080 PNG of both partners' answers over time, dated on the reader's
    calendar (the caller's `TrendPoint.day`). Unanswered check-ins are gaps in that
    partner's line, never zeros."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import FixedLocator, FuncFormatter

    ordered = _check(points)

    fig = Figure(figsize=(FIG_SIZE_IN, FIG_SIZE_IN), dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    fig.set_facecolor("white")
    ax = fig.add_subplot()

    # x as day ordinals: whole days, no time-of-day or time-zone conversions to go wrong.
    xs = [float(point.day.toordinal()) for point in ordered]
    ys_a = [math.nan if p.rating_a is None else p.rating_a + NUDGE for p in ordered]
    ys_b = [math.nan if p.rating_b is None else p.rating_b - NUDGE for p in ordered]
    size = _marker_size(len(ordered))
    line_width = 3.0 if len(ordered) <= 60 else 1.8
    # White rims separate big dots; on small, dense ones they only make speckle.
    rim = 1.0 if len(ordered) <= 60 else 0.0

    label_a = chart_name(name_a, "Partner 1")
    label_b = chart_name(name_b, "Partner 2")
    ax.plot(
        xs,
        ys_a,
        color=COLOUR_A,
        linestyle="-",
        linewidth=line_width,
        marker="o",
        markersize=size,
        markeredgecolor="white",
        markeredgewidth=rim,
        label=label_a,
        zorder=3,
    )
    ax.plot(
        xs,
        ys_b,
        color=COLOUR_B,
        linestyle=(0, (4, 2)),
        linewidth=line_width,
        marker="s",
        markersize=size * 0.75,
        markeredgecolor="white",
        markeredgewidth=rim,
        label=label_b,
        zorder=3,
    )

    # y: the five answers, in words.
    ax.set_ylim(0.6, 5.4)
    ax.yaxis.set_major_locator(FixedLocator(list(RATING_LABELS)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: RATING_LABELS.get(round(y), "")))
    ax.grid(axis="y", color="#DDDDDD", linewidth=1.0, zorder=0)

    # x: a handful of short dates.
    if ordered:
        first, last = ordered[0].day, ordered[-1].day
        ticks = x_ticks([point.day for point in ordered])
        labels = _x_label(ticks)
        pad = max((last - first).days * 0.04, 0.6)
        ax.set_xlim(first.toordinal() - pad, last.toordinal() + pad)
        ax.xaxis.set_major_locator(FixedLocator(list(labels)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: labels.get(float(x), "")))
    else:
        ax.set_xticks([])
        note = ax.text(
            0.5, 0.5, "No check-ins yet", transform=ax.transAxes, ha="center", fontsize=TICK_PT
        )
        _literal(note)
    ax.xaxis.set_minor_locator(FixedLocator([]))
    ax.tick_params(axis="both", labelsize=TICK_PT, length=0, pad=8)

    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#999999")

    title = fig.suptitle(TITLE, fontsize=TITLE_PT, fontweight="bold")
    _literal(title)
    both_short = max(len(label_a), len(label_b)) <= 14
    legend = ax.legend(
        loc="lower center",
        bbox_to_anchor=(0.5, 1.01),
        ncols=2 if both_short else 1,
        fontsize=LEGEND_PT,
        frameon=False,
        handlelength=2.6,
        columnspacing=1.8,
        borderaxespad=0.2,
    )
    for text in legend.get_texts():
        _literal(text)

    # The legend sits over the plot area, which the y labels push right; centre the title
    # over the plot too so the two line up (one layout pass to find it).
    fig.draw_without_rendering()
    box = ax.get_position()
    title.set_x((box.x0 + box.x1) / 2)

    buffer = BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, facecolor="white")
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------
# The words
# ---------------------------------------------------------------------------------------


def _felt(rating: int) -> str:
    return RATING_LABELS[rating].lower()


def _latest_line(answered: list[TrendPoint], partner: str) -> str:
    """Spoken to the reader, whose answers are `rating_a`."""
    if not answered:
        return "No answers yet: your first check-in will show up here."
    latest = answered[-1]
    when = f"Latest check-in ({short_day(latest.day)})"
    mine, theirs = latest.rating_a, latest.rating_b
    if mine is not None and theirs is not None:
        if mine == theirs:
            return f"{when}: you both felt {_felt(mine)}."
        return f"{when}: you felt {_felt(mine)}, {partner} felt {_felt(theirs)}."
    if mine is not None:
        return f"{when}: you felt {_felt(mine)}; no answer from {partner} that time."
    assert theirs is not None
    return f"{when}: {partner} felt {_felt(theirs)}; you didn't answer that time."


def _ratings(points: Sequence[TrendPoint]) -> list[int]:
    return [r for p in points for r in (p.rating_a, p.rating_b) if r is not None]


def _direction_line(answered: list[TrendPoint]) -> str:
    count = len(answered)
    # Halves by check-in; with an odd count the middle one belongs to neither half.
    earlier = _ratings(answered[: count // 2])
    later = _ratings(answered[(count + 1) // 2 :])
    if count < 2 or not earlier or not later:
        return "After a few more check-ins, you'll see here how things are moving."
    change = sum(later) / len(later) - sum(earlier) / len(earlier)
    period = f"Over the last {plural(count, 'check-in', 'check-ins')}"
    if change >= DIRECTION_THRESHOLD:
        return f"{period}, you two have been feeling closer than before. Lovely to see."
    if change <= -DIRECTION_THRESHOLD:
        return (
            f"{period}, you two have been feeling a little further apart than before; "
            "a calm talk can help."
        )
    return f"{period}, you two have felt about the same as before."


def summarise_trend(points: Sequence[TrendPoint], partner: str) -> tuple[str, str]:
    """(latest check-in, direction over the period), spoken to the reader (`rating_a`):
    plain text, the caller escapes it. Check-ins nobody answered are left out of both."""
    answered = [p for p in _check(points) if p.rating_a is not None or p.rating_b is not None]
    return _latest_line(answered, partner), _direction_line(answered)
