"""The /trend picture and its two lines of text: pure functions, no database."""

from __future__ import annotations

import struct
import warnings
from datetime import date, timedelta

import pytest

from bot.checkins.trend_chart import (
    RATING_LABELS,
    TrendPoint,
    chart_name,
    render_trend_png,
    short_day,
    summarise_trend,
    x_ticks,
)

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
START = date(2025, 3, 3)


def series(
    ratings_a: list[int | None], ratings_b: list[int | None], every_days: int = 7
) -> list[TrendPoint]:
    assert len(ratings_a) == len(ratings_b)
    return [
        TrendPoint(START + timedelta(days=every_days * i), a, b)
        for i, (a, b) in enumerate(zip(ratings_a, ratings_b, strict=True))
    ]


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the IHDR chunk, which must come first."""
    assert png[:8] == PNG_MAGIC
    length, kind = struct.unpack(">I4s", png[8:16])
    assert kind == b"IHDR"
    assert length == 13
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def assert_good_png(png: bytes) -> None:
    assert png.startswith(PNG_MAGIC)
    assert png.rstrip(b"\x00").endswith(b"IEND\xaeB`\x82")
    width, height = png_size(png)
    assert 800 <= width <= 2000
    assert 800 <= height <= 2000
    assert height >= width * 0.9  # square or portrait: fills a phone screen
    assert 20_000 <= len(png) <= 1_500_000


def render(points: list[TrendPoint], name_a: str = "Alice", name_b: str = "Bob") -> bytes:
    # Any matplotlib warning (a missing glyph, a mathtext complaint) fails the test.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        return render_trend_png(points, name_a, name_b)


# --- the picture ------------------------------------------------------------------------


def test_two_points_render_a_phone_sized_png() -> None:
    png = render(series([3, 4], [4, 4]))
    assert_good_png(png)
    assert png_size(png) == (1080, 1080)


def test_two_points_on_neighbouring_days_render() -> None:
    assert_good_png(render(series([3, 4], [2, 5], every_days=1)))


def test_hundred_points_render() -> None:
    ratings_a: list[int | None] = [1 + (i * 7) % 5 for i in range(100)]
    ratings_b: list[int | None] = [1 + (i * 3) % 5 for i in range(100)]
    assert_good_png(render(series(ratings_a, ratings_b)))


def test_two_hundred_daily_points_across_a_new_year_render() -> None:
    points = [
        TrendPoint(date(2024, 10, 1) + timedelta(days=i), 1 + i % 5, 5 - i % 5) for i in range(200)
    ]
    assert_good_png(render(points))


def test_gaps_render() -> None:
    png = render(series([4, None, 3, None, None, 5], [None, 2, 2, None, 4, None]))
    assert_good_png(png)


def test_one_partner_never_answered_renders() -> None:
    assert_good_png(render(series([3, 4, 5], [None, None, None])))


def test_falling_series_renders() -> None:
    assert_good_png(render(series([5, 5, 4, 4, 3, 3, 2, 2], [5, 4, 4, 3, 3, 2, 2, 1])))


def test_unsorted_points_render_like_sorted_ones() -> None:
    points = series([5, 4, 3, 2], [4, 4, 3, 3])
    assert render(list(reversed(points))) == render(points)


def test_empty_and_single_point_still_render() -> None:
    assert_good_png(render([]))
    assert_good_png(render(series([3], [None])))


@pytest.mark.parametrize(
    ("name_a", "name_b"),
    [
        ("$am", "Sue$"),
        ("$x^2$", r"$\frac{1}{0}$ \ $"),
        ("Zoë 💕", "❤️‍🔥🥰🙂"),
        ("A" * 200, "Ш" * 200),
        ("王小明", "سارة"),
        ("line\nbreak\ttab", "   "),
        ("", ""),
    ],
)
def test_awkward_names_render(name_a: str, name_b: str) -> None:
    assert_good_png(render(series([2, 3, 4], [4, 3, 2]), name_a, name_b))


def test_out_of_range_ratings_are_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        render_trend_png(series([0, 3], [3, 3]), "A", "B")
    with pytest.raises(ValueError, match="out of range"):
        summarise_trend(series([3, 3], [3, 6]), "B")


def test_date_ticks_sit_under_points() -> None:
    """Irregular check-in days: every tick is one of them, first and last included."""
    days = [START + timedelta(days=d) for d in (0, 3, 10, 11, 30, 44, 45, 60, 90)]
    ticks = x_ticks(days)
    assert set(ticks) <= set(days)
    assert ticks[0] == days[0]
    assert ticks[-1] == days[-1]
    assert len(ticks) == 5
    assert x_ticks(days[:3]) == days[:3]
    assert x_ticks([]) == []


# --- names in the legend ----------------------------------------------------------------


def test_long_names_are_cut_to_about_twenty_characters() -> None:
    shown = chart_name("A" * 200, "Partner 1")
    assert len(shown) == 20
    assert shown.endswith("…")
    assert chart_name("Alice", "Partner 1") == "Alice"


def test_dollar_signs_are_kept_as_typed() -> None:
    assert chart_name("$am", "Partner 1") == "$am"


def test_names_become_one_line_and_undrawable_ones_fall_back() -> None:
    assert chart_name("Ann\n  Marie\t", "Partner 1") == "Ann Marie"
    assert chart_name("   ", "Partner 2") == "Partner 2"
    assert chart_name("\U0001f970", "Partner 2") == "Partner 2"  # emoji DejaVu lacks


# --- the words --------------------------------------------------------------------------


def test_short_day_has_no_padding_and_no_year() -> None:
    assert short_day(date(2025, 3, 3)) == "3 Mar"
    assert short_day(date(2025, 12, 25)) == "25 Dec"


def assert_kind(lines: tuple[str, str]) -> None:
    assert len(lines) == 2
    for line in lines:
        assert line.strip() == line
        assert line
        assert "\n" not in line
        assert "score" not in line.lower()


def test_rising_is_closer() -> None:
    lines = summarise_trend(series([2, 2, 3, 4, 4, 5], [1, 2, 3, 3, 4, 5]), "Bob")
    assert_kind(lines)
    latest, direction = lines
    assert latest == "Latest check-in (7 Apr): you both felt very close."
    assert direction.startswith("Over the last 6 check-ins,")
    assert "closer than before" in direction


def test_falling_is_further_apart_with_a_gentle_nudge() -> None:
    lines = summarise_trend(series([5, 5, 4, 4, 3, 3, 2, 2], [5, 4, 4, 3, 3, 2, 2, 1]), "B")
    assert_kind(lines)
    latest, direction = lines
    assert latest == "Latest check-in (21 Apr): you felt a bit distant, B felt far apart."
    assert direction.startswith("Over the last 8 check-ins,")
    assert "further apart than before" in direction
    assert "calm talk" in direction


def test_flat_is_about_the_same() -> None:
    lines = summarise_trend(series([3, 4, 3, 4], [4, 3, 4, 3]), "Bob")
    assert_kind(lines)
    assert lines[0] == "Latest check-in (24 Mar): you felt close, Bob felt okay."
    assert "about the same" in lines[1]


def test_direction_threshold_is_half_a_step() -> None:
    # averages 3.0 -> 3.5: exactly half a step counts as closer
    assert "closer" in summarise_trend(series([3, 3], [3, 4]), "B")[1]
    # averages 3.0 -> 3.25: not enough
    rising_a_little = series([3, 3, 3, 4], [3, 3, 3, 3])
    assert "about the same" in summarise_trend(rising_a_little, "B")[1]
    assert "further apart" in summarise_trend(series([4, 4], [4, 3]), "B")[1]


def test_odd_count_leaves_the_middle_check_in_out_of_both_halves() -> None:
    # halves are [1] and [1]; the middle 5 would make it look like a swing if counted
    lines = summarise_trend(series([1, 5, 1], [1, 5, 1]), "B")
    assert "about the same" in lines[1]
    assert "Over the last 3 check-ins" in lines[1]


def test_gaps_use_the_answers_that_exist() -> None:
    points = series([None, 2, None, 4, 5, None], [2, None, 3, None, None, 5])
    latest, direction = summarise_trend(points, "Bob")
    assert latest == "Latest check-in (7 Apr): Bob felt very close; you didn't answer that time."
    assert "closer than before" in direction  # 2.33 -> 4.67
    assert_kind((latest, direction))


def test_check_ins_nobody_answered_are_skipped() -> None:
    points = [*series([4, 4], [4, 2]), TrendPoint(START + timedelta(days=30), None, None)]
    latest, direction = summarise_trend(points, "Bob")
    assert latest == "Latest check-in (10 Mar): you felt close, Bob felt a bit distant."
    assert "Over the last 2 check-ins" in direction
    assert "further apart" in direction


def test_partner_a_missing_latest() -> None:
    latest, _ = summarise_trend(series([3, None], [3, 1]), "Bob")
    assert latest == "Latest check-in (10 Mar): Bob felt far apart; you didn't answer that time."


def test_partner_b_missing_latest() -> None:
    latest, _ = summarise_trend(series([3, 4], [3, None]), "Bob")
    assert latest == "Latest check-in (10 Mar): you felt close; no answer from Bob that time."


def test_too_little_history_says_so_kindly() -> None:
    for points in ([], series([3], [4]), series([None, None], [None, None])):
        lines = summarise_trend(points, "Bob")
        assert_kind(lines)
        assert "few more check-ins" in lines[1]
    assert summarise_trend([], "B")[0].startswith("No answers yet")


def test_every_rating_has_a_warm_word() -> None:
    for rating, label in RATING_LABELS.items():
        latest, _ = summarise_trend(series([rating, rating], [rating, rating]), "B")
        assert latest.endswith(f"you both felt {label.lower()}.")
