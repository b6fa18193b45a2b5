"""Schedule maths: DST gaps and folds, one round per local date, catch-up, pairing,
quiet hours and check-in cadences. Pure and fast: no database, no sleeping."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kernel.schedule import (
    DueRound,
    describe_zone_now,
    due_round,
    end_of_quiet_hours,
    first_round_date,
    first_weekday_of_month,
    format_local,
    in_quiet_hours,
    latest_occurrence,
    local_date,
    next_after_first,
    next_dated_occurrence,
    next_monthly,
    next_occurrence,
    next_weekly,
    occurrence_on,
    resolve_local,
)

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
LORD_HOWE = ZoneInfo("Australia/Lord_Howe")
APIA = ZoneInfo("Pacific/Apia")
NUUK = ZoneInfo("America/Nuuk")
SANTIAGO = ZoneInfo("America/Santiago")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC_ZONE = ZoneInfo("UTC")
ZONES = [BERLIN, NEW_YORK, LORD_HOWE, APIA, NUUK, SANTIAGO, TOKYO, UTC_ZONE]


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def wall(instant: datetime, zone: ZoneInfo) -> datetime:
    return instant.astimezone(zone).replace(tzinfo=None)


# --- resolve_local: gaps and folds ----------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "day", "at", "expected_utc", "expected_wall"),
    [
        # ordinary days
        (BERLIN, date(2026, 3, 2), time(20, 0), utc(2026, 3, 2, 19, 0), time(20, 0)),
        (BERLIN, date(2026, 7, 2), time(20, 0), utc(2026, 7, 2, 18, 0), time(20, 0)),
        # spring forward: 02:00 -> 03:00, so 02:30 is 03:30
        (BERLIN, date(2026, 3, 29), time(2, 30), utc(2026, 3, 29, 1, 30), time(3, 30)),
        (BERLIN, date(2026, 3, 29), time(2, 0), utc(2026, 3, 29, 1, 0), time(3, 0)),
        (NEW_YORK, date(2026, 3, 8), time(2, 30), utc(2026, 3, 8, 7, 30), time(3, 30)),
        # fall back: the first occurrence (still summer time)
        (BERLIN, date(2026, 10, 25), time(2, 30), utc(2026, 10, 25, 0, 30), time(2, 30)),
        (NEW_YORK, date(2026, 11, 1), time(1, 30), utc(2026, 11, 1, 5, 30), time(1, 30)),
        # Lord Howe Island moves by 30 minutes: 02:00 -> 02:30 and 02:00 -> 01:30
        (LORD_HOWE, date(2026, 10, 4), time(2, 15), utc(2026, 10, 3, 15, 45), time(2, 45)),
        (LORD_HOWE, date(2026, 4, 5), time(1, 45), utc(2026, 4, 4, 14, 45), time(1, 45)),
        # Santiago falls back at midnight (00:00 -> 23:00): 23:30 happens twice
        (SANTIAGO, date(2026, 4, 4), time(23, 30), utc(2026, 4, 5, 2, 30), time(23, 30)),
    ],
)
def test_resolve_local_gaps_and_folds(
    zone: ZoneInfo, day: date, at: time, expected_utc: datetime, expected_wall: time
) -> None:
    instant = resolve_local(day, at, zone)
    assert instant == expected_utc
    assert instant.tzinfo is UTC
    assert instant.astimezone(zone).time() == expected_wall


def test_fold_second_occurrence_is_an_hour_later_and_not_used() -> None:
    first = resolve_local(date(2026, 10, 25), time(2, 30), BERLIN)
    second = datetime(2026, 10, 25, 2, 30, fold=1, tzinfo=BERLIN).astimezone(UTC)
    assert second - first == timedelta(hours=1)
    # a fold=1 time passed in is treated as a plain wall-clock reading
    assert resolve_local(date(2026, 10, 25), time(2, 30, fold=1), BERLIN) == first


def test_resolve_local_ignores_tzinfo_on_the_time() -> None:
    tokyo_time = time(20, 0, tzinfo=TOKYO)
    assert resolve_local(date(2026, 3, 2), tokyo_time, BERLIN) == utc(2026, 3, 2, 19, 0)


def test_apia_skipped_day_has_no_occurrence() -> None:
    # Samoa skipped 30 December 2011 (UTC-10 -> UTC+14).
    at = time(12, 0)
    assert resolve_local(date(2011, 12, 30), at, APIA) == resolve_local(
        date(2011, 12, 31), at, APIA
    )
    assert occurrence_on(date(2011, 12, 30), at, APIA) is None
    assert occurrence_on(date(2011, 12, 29), at, APIA) == utc(2011, 12, 29, 22, 0)
    assert occurrence_on(date(2011, 12, 31), at, APIA) == utc(2011, 12, 30, 22, 0)
    # walking the schedule over it: 29th, then 31st (2 hours later in UTC), then 1st
    day, first = next_dated_occurrence(utc(2011, 12, 29, 0, 0), at, APIA)
    assert (day, first) == (date(2011, 12, 29), utc(2011, 12, 29, 22, 0))
    day, second = next_dated_occurrence(first, at, APIA)
    assert (day, second) == (date(2011, 12, 31), utc(2011, 12, 30, 22, 0))
    day, third = next_dated_occurrence(second, at, APIA)
    assert (day, third) == (date(2012, 1, 1), utc(2011, 12, 31, 22, 0))
    assert latest_occurrence(second, at, APIA) == (date(2011, 12, 31), second)


def test_nuuk_gap_over_midnight_keeps_one_round_per_date() -> None:
    # Nuuk jumps from 23:00 on 28 March 2026 to 00:00 on the 29th: 23:30 on the 28th is
    # 00:30 on the 29th, yet it is the 28th's round, and the 29th still has its own.
    at = time(23, 30)
    instants = []
    after = datetime(2026, 3, 27, 0, 0, tzinfo=NUUK).astimezone(UTC)
    for _ in range(3):
        dated = next_dated_occurrence(after, at, NUUK)
        instants.append(dated)
        after = dated[1]
    assert [d for d, _ in instants] == [date(2026, 3, 27), date(2026, 3, 28), date(2026, 3, 29)]
    assert wall(instants[1][1], NUUK) == datetime(2026, 3, 29, 0, 30)
    assert wall(instants[2][1], NUUK) == datetime(2026, 3, 29, 23, 30)
    # due_round names the scheduled date, not the local date of the shifted instant
    due = due_round(instants[1][1], instants[1][1], at, NUUK)
    assert due is not None
    assert due.local_date == date(2026, 3, 28)
    assert due.following == instants[2][1]


def test_naive_instants_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        next_occurrence(datetime(2026, 3, 2, 12, 0), time(20, 0), BERLIN)
    with pytest.raises(ValueError, match="timezone-aware"):
        local_date(datetime(2026, 3, 2, 12, 0), BERLIN)


def test_local_date_across_midnight() -> None:
    instant = utc(2026, 3, 2, 23, 30)
    assert local_date(instant, UTC_ZONE) == date(2026, 3, 2)
    assert local_date(instant, BERLIN) == date(2026, 3, 3)
    assert local_date(instant, NEW_YORK) == date(2026, 3, 2)
    assert local_date(instant.astimezone(TOKYO), BERLIN) == date(2026, 3, 3)


# --- next_occurrence over 30 days -----------------------------------------------------


def walk(start: datetime, at: time, zone: ZoneInfo, count: int) -> list[tuple[date, datetime]]:
    out = []
    after = start
    for _ in range(count):
        instant = next_occurrence(after, at, zone)
        out.append((latest_occurrence(instant, at, zone)[0], instant))
        after = instant
    return out


@pytest.mark.parametrize(
    ("zone", "start", "at"),
    [
        (BERLIN, date(2026, 3, 15), time(20, 0)),
        (BERLIN, date(2026, 3, 15), time(2, 30)),  # in the gap on the 29th
        (BERLIN, date(2026, 10, 10), time(2, 30)),  # in the fold on 25 October
        (BERLIN, date(2026, 10, 10), time(0, 0)),
        (NEW_YORK, date(2026, 2, 25), time(2, 30)),  # gap on 8 March
        (NEW_YORK, date(2026, 10, 20), time(1, 30)),  # fold on 1 November
        (NEW_YORK, date(2026, 10, 20), time(23, 59)),
        (LORD_HOWE, date(2026, 9, 20), time(2, 15)),
        (LORD_HOWE, date(2026, 3, 25), time(1, 45)),
        (SANTIAGO, date(2026, 3, 25), time(23, 30)),
        (SANTIAGO, date(2026, 8, 25), time(0, 30)),
        (UTC_ZONE, date(2026, 3, 15), time(20, 0)),
    ],
)
def test_thirty_days_one_instant_per_local_date(zone: ZoneInfo, start: date, at: time) -> None:
    start_instant = datetime.combine(start, time(0, 0), tzinfo=zone).astimezone(UTC)
    days = walk(start_instant - timedelta(seconds=1), at, zone, 30)
    dates = [d for d, _ in days]
    assert dates == [start + timedelta(days=n) for n in range(30)]
    instants = [i for _, i in days]
    assert instants == sorted(set(instants))  # strictly increasing, no repeats
    for day, instant in days:
        assert instant == resolve_local(day, at, zone)
        assert local_date(instant, zone) == day
        local = instant.astimezone(zone).time()
        # the daily time, or shifted forward by at most an hour over a gap
        shifted = datetime.combine(day, local) - datetime.combine(day, at)
        assert timedelta(0) <= shifted <= timedelta(hours=1)


def test_berlin_intervals_change_over_dst_while_utc_stays_24h() -> None:
    start = utc(2026, 3, 20, 0, 0)
    berlin = [i for _, i in walk(start, time(20, 0), BERLIN, 30)]
    plain = [i for _, i in walk(start, time(20, 0), UTC_ZONE, 30)]
    berlin_gaps = [b - a for a, b in itertools.pairwise(berlin)]
    utc_gaps = [b - a for a, b in itertools.pairwise(plain)]
    assert set(utc_gaps) == {timedelta(hours=24)}
    assert berlin_gaps.count(timedelta(hours=23)) == 1
    assert berlin_gaps.count(timedelta(hours=24)) == len(berlin_gaps) - 1
    # seen from a partner on UTC, the Berlin question moves from 19:00 to 18:00
    assert format_local(berlin[0], UTC_ZONE) == "19:00"
    assert format_local(berlin[-1], UTC_ZONE) == "18:00"
    assert {format_local(i, BERLIN) for i in berlin} == {"20:00"}


def test_new_york_fall_back_day_is_25_hours() -> None:
    instants = [i for _, i in walk(utc(2026, 10, 25, 0, 0), time(1, 30), NEW_YORK, 14)]
    gaps = [b - a for a, b in itertools.pairwise(instants)]
    assert gaps.count(timedelta(hours=25)) == 1
    assert {format_local(i, NEW_YORK) for i in instants} == {"01:30"}


def test_next_occurrence_is_strictly_after() -> None:
    at = time(20, 0)
    today = utc(2026, 3, 2, 19, 0)
    assert next_occurrence(today - timedelta(microseconds=1), at, BERLIN) == today
    assert next_occurrence(today, at, BERLIN) == utc(2026, 3, 3, 19, 0)
    assert latest_occurrence(today, at, BERLIN) == (date(2026, 3, 2), today)
    assert latest_occurrence(today - timedelta(microseconds=1), at, BERLIN) == (
        date(2026, 3, 1),
        utc(2026, 3, 1, 19, 0),
    )


@settings(max_examples=150, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2010, 1, 1), max_value=datetime(2035, 12, 31)),
    hour=st.integers(0, 23),
    minute=st.sampled_from([0, 1, 15, 29, 30, 45, 59]),
)
def test_property_occurrences_are_consecutive_and_consistent(
    zone: ZoneInfo, start: datetime, hour: int, minute: int
) -> None:
    at = time(hour, minute)
    after = start.replace(tzinfo=UTC)
    previous: tuple[date, datetime] | None = None
    for _ in range(8):
        day, instant = next_dated_occurrence(after, at, zone)
        assert instant > after
        assert instant == occurrence_on(day, at, zone)
        assert latest_occurrence(instant, at, zone) == (day, instant)
        assert next_occurrence(instant - timedelta(microseconds=1), at, zone) == instant
        if previous is not None:
            assert latest_occurrence(instant - timedelta(microseconds=1), at, zone) == previous
            # the next date, unless the zone skipped that whole date (Apia 2011)
            skipped = day - previous[0] - timedelta(days=1)
            assert skipped == timedelta(0) or (
                skipped == timedelta(days=1)
                and occurrence_on(previous[0] + timedelta(days=1), at, zone) is None
            )
        previous = (day, instant)
        after = instant


# --- due_round and catch-up -----------------------------------------------------------


def test_due_round_none_before_due() -> None:
    at = time(20, 0)
    next_due = utc(2026, 3, 2, 19, 0)
    assert due_round(next_due, next_due - timedelta(seconds=1), at, BERLIN) is None


def test_due_round_on_time() -> None:
    at = time(20, 0)
    next_due = utc(2026, 3, 2, 19, 0)
    due = due_round(next_due, next_due + timedelta(seconds=3), at, BERLIN)
    assert due == DueRound(
        local_date=date(2026, 3, 2),
        scheduled_at=next_due,
        following=utc(2026, 3, 3, 19, 0),
    )


def test_catch_up_after_three_days_down_sends_only_the_latest_day() -> None:
    at = time(20, 0)
    next_due = utc(2026, 3, 2, 19, 0)  # Monday's question, then the bot was down
    now = utc(2026, 3, 5, 20, 30)  # Thursday 21:30 in Berlin
    due = due_round(next_due, now, at, BERLIN)
    assert due is not None
    assert due.local_date == date(2026, 3, 5)
    assert due.scheduled_at == utc(2026, 3, 5, 19, 0)
    assert due.following == utc(2026, 3, 6, 19, 0)
    # the stored next_prompt_at moves on: the next tick has nothing to do
    assert due_round(due.following, now, at, BERLIN) is None


def test_catch_up_before_todays_time_sends_yesterday() -> None:
    at = time(20, 0)
    due = due_round(utc(2026, 3, 2, 19, 0), utc(2026, 3, 5, 9, 0), at, BERLIN)
    assert due is not None
    assert due.local_date == date(2026, 3, 4)
    assert due.following == utc(2026, 3, 5, 19, 0)


def test_ticking_through_downtime_creates_one_round_per_day_and_no_backlog() -> None:
    at = time(20, 0)
    next_due = next_after_first(utc(2026, 3, 20, 9, 0), at, BERLIN)
    rounds: list[date] = []
    now = utc(2026, 3, 20, 9, 0)
    down = (utc(2026, 3, 24, 0, 0), utc(2026, 3, 27, 20, 0))  # three and a half days
    while now < utc(2026, 4, 3, 0, 0):
        now += timedelta(minutes=10)
        if down[0] <= now < down[1]:
            continue
        due = due_round(next_due, now, at, BERLIN)
        if due is not None:
            rounds.append(due.local_date)
            next_due = due.following
    assert len(rounds) == len(set(rounds))
    expected = [date(2026, 3, 21) + timedelta(days=n) for n in range(13)]
    missed = {date(2026, 3, 24), date(2026, 3, 25), date(2026, 3, 26)}
    assert rounds == [d for d in expected if d not in missed]  # 27th sent once, on return


# --- pairing -----------------------------------------------------------------------------


def test_first_round_right_after_pairing_then_tomorrow() -> None:
    at = time(20, 0)
    paired = utc(2026, 3, 2, 9, 0)  # 10:00 in Berlin, today's 20:00 still to come
    assert first_round_date(paired, BERLIN) == date(2026, 3, 2)
    assert next_after_first(paired, at, BERLIN) == utc(2026, 3, 3, 19, 0)


def test_pairing_after_todays_time() -> None:
    paired = utc(2026, 3, 2, 21, 0)  # 22:00 in Berlin
    assert first_round_date(paired, BERLIN) == date(2026, 3, 2)
    assert next_after_first(paired, time(20, 0), BERLIN) == utc(2026, 3, 3, 19, 0)


def test_pairing_date_is_local_not_utc() -> None:
    paired = utc(2026, 3, 2, 16, 0)  # 01:00 on the 3rd in Tokyo
    assert first_round_date(paired, TOKYO) == date(2026, 3, 3)
    assert next_after_first(paired, time(20, 0), TOKYO) == utc(2026, 3, 4, 11, 0)


def test_pairing_just_before_midnight_gap_in_nuuk() -> None:
    paired = datetime(2026, 3, 28, 22, 0, tzinfo=NUUK).astimezone(UTC)
    assert first_round_date(paired, NUUK) == date(2026, 3, 28)
    following = next_after_first(paired, time(23, 30), NUUK)
    assert wall(following, NUUK) == datetime(2026, 3, 29, 23, 30)


# --- quiet hours ------------------------------------------------------------------------


def berlin(day: int, hour: int, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [
        (21, 59, False),
        (22, 0, True),
        (23, 30, True),
        (0, 0, True),
        (3, 0, True),
        (7, 59, True),
        (8, 0, False),
        (12, 0, False),
    ],
)
def test_quiet_hours_cross_midnight(hour: int, minute: int, quiet: bool) -> None:
    assert in_quiet_hours(berlin(3, hour, minute), BERLIN) is quiet


def test_end_of_quiet_hours() -> None:
    assert end_of_quiet_hours(berlin(3, 23, 0), BERLIN) == berlin(4, 8, 0)
    assert end_of_quiet_hours(berlin(4, 3, 0), BERLIN) == berlin(4, 8, 0)
    assert end_of_quiet_hours(berlin(4, 12, 0), BERLIN) == berlin(4, 12, 0)


def test_quiet_hours_depend_on_the_recipients_zone() -> None:
    instant = utc(2026, 3, 3, 23, 0)  # midnight in Berlin, 18:00 in New York
    assert in_quiet_hours(instant, BERLIN)
    assert not in_quiet_hours(instant, NEW_YORK)
    assert end_of_quiet_hours(instant, NEW_YORK) == instant


def test_quiet_window_not_crossing_midnight_and_empty_window() -> None:
    start, end = time(13, 0), time(14, 0)
    assert in_quiet_hours(berlin(3, 13, 30), BERLIN, start, end)
    assert not in_quiet_hours(berlin(3, 14, 0), BERLIN, start, end)
    assert not in_quiet_hours(berlin(3, 23, 0), BERLIN, start, end)
    assert end_of_quiet_hours(berlin(3, 13, 30), BERLIN, start, end) == berlin(3, 14, 0)
    assert not in_quiet_hours(berlin(3, 23, 0), BERLIN, time(8, 0), time(8, 0))


def test_quiet_hours_end_over_dst_change() -> None:
    # the night clocks go forward, 08:00 comes 7 real hours after midnight
    midnight = berlin(29, 0, 0)
    assert end_of_quiet_hours(midnight, BERLIN) - midnight == timedelta(hours=7)
    # and the night they go back, 9 hours
    midnight = berlin(25, 0, 0, month=10)
    assert end_of_quiet_hours(midnight, BERLIN) - midnight == timedelta(hours=9)


def test_quiet_hours_ending_inside_a_gap_end_at_the_jump() -> None:
    start, end = time(1, 0), time(2, 30)  # 02:30 does not exist on 29 March
    instant = utc(2026, 3, 29, 0, 30)  # 01:30 CET
    result = end_of_quiet_hours(instant, BERLIN, start, end)
    assert result == utc(2026, 3, 29, 1, 0)  # 03:00 CEST, the jump
    assert not in_quiet_hours(result, BERLIN, start, end)
    assert in_quiet_hours(result - timedelta(seconds=1), BERLIN, start, end)


def test_quiet_hours_ending_inside_a_fold() -> None:
    # 02:10 on the second pass of the fold: quiet until 02:30 of that same pass
    instant = datetime(2026, 10, 25, 2, 10, fold=1, tzinfo=BERLIN).astimezone(UTC)
    assert in_quiet_hours(instant, BERLIN, time(22, 0), time(2, 30))
    result = end_of_quiet_hours(instant, BERLIN, time(22, 0), time(2, 30))
    assert result == instant + timedelta(minutes=20)


@settings(max_examples=200, deadline=None)
@given(
    zone=st.sampled_from(ZONES),
    start=st.datetimes(min_value=datetime(2015, 1, 1), max_value=datetime(2035, 12, 31)),
    window=st.sampled_from(
        [(time(22, 0), time(8, 0)), (time(1, 0), time(2, 30)), (time(23, 0), time(0, 30))]
    ),
)
def test_property_end_of_quiet_hours_is_the_first_allowed_instant(
    zone: ZoneInfo, start: datetime, window: tuple[time, time]
) -> None:
    instant = start.replace(tzinfo=UTC)
    result = end_of_quiet_hours(instant, zone, *window)
    assert result >= instant
    assert not in_quiet_hours(result, zone, *window)
    if result > instant:
        assert in_quiet_hours(instant, zone, *window)
        assert in_quiet_hours(max(instant, result - timedelta(seconds=1)), zone, *window)
        step = (result - instant) / 16
        assert all(in_quiet_hours(instant + step * n, zone, *window) for n in range(16))


# --- weekly and monthly cadences ------------------------------------------------------


def series(first: datetime, step: int, count: int) -> list[datetime]:
    out = [first]
    for _ in range(count - 1):
        out.append(next_weekly(out[-1], 6, time(19, 0), BERLIN, every_weeks=step))
    return out


def test_weekly_over_three_months_keeps_sunday_19h() -> None:
    first = next_weekly(utc(2026, 3, 1, 0, 0), 6, time(19, 0), BERLIN)
    assert first == berlin(1, 19)
    weeks = series(first, 1, 14)
    local = [i.astimezone(BERLIN) for i in weeks]
    assert all(d.weekday() == 6 and d.time() == time(19, 0) for d in local)
    assert [d.date() for d in local] == [date(2026, 3, 1) + timedelta(weeks=n) for n in range(14)]
    # the week clocks go forward in (22 -> 29 March) is 167 hours long
    assert weeks[4] - weeks[3] == timedelta(hours=167)
    assert weeks[5] - weeks[4] == timedelta(weeks=1)


def test_fortnightly_over_three_months() -> None:
    first = berlin(1, 19)
    fortnights = series(first, 2, 7)
    local = [i.astimezone(BERLIN) for i in fortnights]
    assert [d.date() for d in local] == [
        date(2026, 3, 1) + timedelta(weeks=2 * n) for n in range(7)
    ]
    assert {d.strftime("%a %H:%M") for d in local} == {"Sun 19:00"}


def test_weekly_first_from_an_arbitrary_moment() -> None:
    wednesday = berlin(4, 12)
    assert next_weekly(wednesday, 6, time(19, 0), BERLIN) == berlin(8, 19)
    assert next_weekly(wednesday, 6, time(19, 0), BERLIN, every_weeks=2) == berlin(15, 19)
    sunday_noon, sunday_night = berlin(8, 12), berlin(8, 20)
    assert next_weekly(sunday_noon, 6, time(19, 0), BERLIN) == berlin(8, 19)
    assert next_weekly(sunday_night, 6, time(19, 0), BERLIN) == berlin(15, 19)


def test_monthly_is_the_first_weekday_of_each_month() -> None:
    at = time(19, 0)
    instant = next_monthly(utc(2026, 2, 20, 0, 0), 6, at, BERLIN)
    got = []
    for _ in range(4):
        got.append(instant.astimezone(BERLIN))
        instant = next_monthly(instant, 6, at, BERLIN)
    assert [d.date() for d in got] == [
        date(2026, 3, 1),
        date(2026, 4, 5),
        date(2026, 5, 3),
        date(2026, 6, 7),
    ]
    assert all(d.day <= 7 and d.weekday() == 6 and d.time() == at for d in got)


def test_monthly_is_not_every_four_weeks() -> None:
    first = berlin(1, 19)
    four_weeks = next_weekly(first, 6, time(19, 0), BERLIN, every_weeks=4)
    monthly = next_monthly(first, 6, time(19, 0), BERLIN)
    assert four_weeks.astimezone(BERLIN).date() == date(2026, 3, 29)
    assert monthly.astimezone(BERLIN).date() == date(2026, 4, 5)


def test_monthly_this_month_if_still_ahead() -> None:
    # first Monday of March 2026 is the 2nd
    assert next_monthly(berlin(1, 12), 0, time(9, 0), BERLIN) == berlin(2, 9)
    assert next_monthly(berlin(2, 10), 0, time(9, 0), BERLIN) == berlin(6, 9, month=4)


def test_first_weekday_of_month() -> None:
    assert first_weekday_of_month(2026, 3, 6) == date(2026, 3, 1)
    assert first_weekday_of_month(2026, 3, 5) == date(2026, 3, 7)
    for month in range(1, 13):
        for weekday in range(7):
            day = first_weekday_of_month(2027, month, weekday)
            assert day.weekday() == weekday
            assert 1 <= day.day <= 7


def test_cadence_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="weekday"):
        next_weekly(berlin(1, 12), 7, time(19, 0), BERLIN)
    with pytest.raises(ValueError, match="every_weeks"):
        next_weekly(berlin(1, 12), 6, time(19, 0), BERLIN, every_weeks=0)
    with pytest.raises(ValueError, match="weekday"):
        next_monthly(berlin(1, 12), -1, time(19, 0), BERLIN)


# --- display ------------------------------------------------------------------------------


def test_format_local() -> None:
    instant = utc(2026, 3, 2, 19, 0)
    assert format_local(instant, BERLIN) == "20:00"
    assert format_local(instant, NEW_YORK) == "14:00"
    assert format_local(instant, ZoneInfo("Asia/Kolkata")) == "00:30"


def test_describe_zone_now() -> None:
    now = utc(2026, 11, 22, 13, 5)
    assert describe_zone_now(BERLIN, now) == "Europe/Berlin, where it is now 14:05 (Sun 22 Nov)"
    assert describe_zone_now(TOKYO, now) == "Asia/Tokyo, where it is now 22:05 (Sun 22 Nov)"
    assert describe_zone_now(ZoneInfo("Pacific/Kiritimati"), now) == (
        "Pacific/Kiritimati, where it is now 03:05 (Mon 23 Nov)"
    )
