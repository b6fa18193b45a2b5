"""The pure rules behind each partner's own time: the pair-day and the next creation
instant, quiet hours for every message, and the one reminder."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.kernel import schedule
from bot.kernel.schedule import PartnerClock

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


def at(day: date, wall: time, zone: ZoneInfo) -> datetime:
    return schedule.resolve_local(day, wall, zone)


def days_of(clocks: list[PartnerClock], start: datetime, count: int) -> list[schedule.PairRound]:
    """`count` rounds in a row, each created at the previous one's `following`."""
    rounds = []
    due = schedule.next_creation(start, clocks)
    for _ in range(count):
        found = schedule.due_pair_round(due, due, clocks)
        assert found is not None
        rounds.append(found)
        due = found.following
    return rounds


# --- the pair-day --------------------------------------------------------------------


def test_berlin_and_new_york_each_at_their_own_time() -> None:
    alice = PartnerClock(time(20, 0), BERLIN)
    bob = PartnerClock(time(21, 0), NEW_YORK)
    day = date(2026, 3, 3)
    found = schedule.pair_round(at(day, time(20, 0), BERLIN), [alice, bob])
    assert found.deliveries == (at(day, time(20, 0), BERLIN), at(day, time(21, 0), NEW_YORK))
    assert found.local_date == day
    assert found.following == at(day + timedelta(days=1), time(20, 0), BERLIN)


def test_berlin_and_tokyo_share_one_question_a_day_for_weeks() -> None:
    alice = PartnerClock(time(20, 0), BERLIN)
    bob = PartnerClock(time(8, 0), TOKYO)  # 08:00 in Tokyo is 00:00 or 23:00 in Berlin
    rounds = days_of([alice, bob], utc(2026, 3, 1), 60)  # across the EU change
    for index, clock in enumerate((alice, bob)):
        dates = [schedule.local_date(r.deliveries[index], clock.zone) for r in rounds]
        assert all(b - a == timedelta(days=1) for a, b in pairwise(dates))
        walls = {r.deliveries[index].astimezone(clock.zone).time() for r in rounds}
        assert walls == {clock.at}
    pair_days = [r.local_date for r in rounds]
    assert pair_days == sorted(set(pair_days)), "one round per pair-day, in order"


ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "Australia/Lord_Howe",
    "America/Los_Angeles",
    "Pacific/Auckland",
    "Asia/Kolkata",
    "UTC",
]


@settings(max_examples=60, deadline=None)
@given(
    zones=st.tuples(st.sampled_from(ZONES), st.sampled_from(ZONES)),
    minutes=st.tuples(st.integers(0, 24 * 60 - 1), st.integers(0, 24 * 60 - 1)),
    start_day=st.integers(0, 364),
)
def test_every_partner_gets_one_question_on_each_of_their_days(
    zones: tuple[str, str], minutes: tuple[int, int], start_day: int
) -> None:
    clocks = [
        PartnerClock(time(m // 60, m % 60), ZoneInfo(z))
        for z, m in zip(zones, minutes, strict=True)
    ]
    start = utc(2026, 1, 1) + timedelta(days=start_day)
    rounds = days_of(clocks, start, 40)
    for index, clock in enumerate(clocks):
        instants = [r.deliveries[index] for r in rounds]
        assert instants == sorted(set(instants))
        dates = [
            schedule.next_dated_occurrence(i - timedelta(microseconds=1), clock.at, clock.zone)[0]
            for i in instants
        ]
        assert all(b - a == timedelta(days=1) for a, b in pairwise(dates))
    for r in rounds:
        assert r.created == min(r.deliveries)
        assert max(r.deliveries) - r.created < timedelta(hours=26)
    pair_days = [r.local_date for r in rounds]
    assert pair_days == sorted(set(pair_days))


def test_dst_gap_and_fold_for_both_partners() -> None:
    alice = PartnerClock(time(2, 30), BERLIN)  # skipped on 29 March, twice on 25 October
    bob = PartnerClock(time(1, 30), NEW_YORK)  # twice on 1 November
    for start, days in ((utc(2026, 3, 27), 4), (utc(2026, 10, 23), 12)):
        rounds = days_of([alice, bob], start, days)
        alice_at = [r.deliveries[0] for r in rounds]
        assert len({schedule.local_date(i, BERLIN) for i in alice_at}) == days
    spring = [r.deliveries[0] for r in days_of([alice, bob], utc(2026, 3, 28), 2)]
    assert spring[1] == utc(2026, 3, 29, 1, 30), "02:30 shifts to 03:30 over the gap"
    autumn = [r.deliveries[0] for r in days_of([alice, bob], utc(2026, 10, 24), 2)]
    assert autumn[1] == utc(2026, 10, 25, 0, 30), "the first 02:30 counts"


def test_after_downtime_only_the_latest_day() -> None:
    alice = PartnerClock(time(20, 0), BERLIN)
    bob = PartnerClock(time(21, 0), NEW_YORK)
    missed = at(date(2026, 3, 3), time(20, 0), BERLIN)
    now = utc(2026, 3, 9, 12, 0)  # six days later, Monday noon UTC
    found = schedule.due_pair_round(missed, now, [alice, bob])
    assert found is not None
    assert found.created == at(date(2026, 3, 8), time(21, 0), NEW_YORK)  # the latest time
    assert found.deliveries[1] == found.created
    assert found.deliveries[0] == at(date(2026, 3, 9), time(20, 0), BERLIN)
    assert found.following > now
    assert schedule.due_pair_round(found.following, now, [alice, bob]) is None


def test_a_time_change_never_gives_a_day_twice() -> None:
    bob = PartnerClock(time(23, 0), NEW_YORK)
    had_it = at(date(2026, 3, 3), time(21, 0), NEW_YORK)  # today's came at 21:00
    after_change = had_it + timedelta(minutes=30)  # /time 11pm at 21:30
    assert schedule.next_own_delivery(after_change, bob, had_it) == at(
        date(2026, 3, 4), time(23, 0), NEW_YORK
    )
    on_its_way = at(date(2026, 3, 3), time(21, 0), NEW_YORK)  # not sent yet; /time 7pm
    earlier = PartnerClock(time(19, 0), NEW_YORK)
    changed_at = at(date(2026, 3, 3), time(18, 0), NEW_YORK)
    assert schedule.next_own_delivery(changed_at, earlier, on_its_way) == at(
        date(2026, 3, 4), time(19, 0), NEW_YORK
    )
    alice = PartnerClock(time(20, 0), BERLIN)
    assert schedule.next_creation(changed_at, [alice, earlier], [None, on_its_way]) == at(
        date(2026, 3, 4), time(20, 0), BERLIN
    )


def test_pause_and_resume() -> None:
    alice = PartnerClock(time(20, 0), BERLIN)
    bob = PartnerClock(time(21, 0), NEW_YORK)
    until = utc(2026, 3, 6, 20, 0)
    assert schedule.next_creation(until, [alice, bob]) == at(
        date(2026, 3, 6), time(21, 0), NEW_YORK
    )


def test_first_round_at_pairing() -> None:
    alice = PartnerClock(time(20, 0), BERLIN)
    bob = PartnerClock(time(21, 0), NEW_YORK)
    paired = utc(2026, 3, 2, 9, 0)
    first = schedule.first_pair_round(paired, [alice, bob])
    assert first.local_date == date(2026, 3, 2)
    assert first.deliveries == (paired, paired)
    assert first.following == at(date(2026, 3, 3), time(20, 0), BERLIN)


# --- quiet hours ------------------------------------------------------------------------


def test_quiet_hours_hold_a_message_until_eight() -> None:
    assert schedule.earliest_allowed(utc(2026, 3, 3, 12), BERLIN) == utc(2026, 3, 3, 12)
    night = at(date(2026, 3, 3), time(23, 0), BERLIN)
    assert schedule.earliest_allowed(night, BERLIN) == at(date(2026, 3, 4), time(8, 0), BERLIN)


def test_a_chosen_time_in_the_night_opens_the_hour_after_it() -> None:
    chosen = time(23, 0)
    day = date(2026, 3, 3)
    for wall in (time(23, 0), time(23, 59)):
        instant = at(day, wall, BERLIN)
        assert schedule.earliest_allowed(instant, BERLIN, chosen) == instant
    late = at(day + timedelta(days=1), time(0, 0), BERLIN)
    assert schedule.earliest_allowed(late, BERLIN, chosen) == at(
        day + timedelta(days=1), time(8, 0), BERLIN
    )
    early = at(day, time(22, 30), BERLIN)
    assert schedule.earliest_allowed(early, BERLIN, chosen) == at(day, time(23, 0), BERLIN)
    riser = time(6, 0)
    assert schedule.earliest_allowed(at(day, time(3, 0), BERLIN), BERLIN, riser) == at(
        day, time(6, 0), BERLIN
    )
    assert schedule.earliest_allowed(at(day, time(3, 0), BERLIN), BERLIN, time(12, 0)) == at(
        day, time(8, 0), BERLIN
    )


# --- the reminder -----------------------------------------------------------------------


def test_the_reminder_comes_two_hours_later_or_not_that_day() -> None:
    two = timedelta(hours=2)
    day = date(2026, 3, 3)
    assert schedule.reminder_instant(at(day, time(18, 0), BERLIN), BERLIN, two) == at(
        day, time(20, 0), BERLIN
    )
    assert schedule.reminder_instant(at(day, time(19, 30), BERLIN), BERLIN, two) == at(
        day, time(21, 30), BERLIN
    )
    for late in (time(19, 45), time(20, 0), time(23, 0), time(5, 0)):
        assert schedule.reminder_instant(at(day, late, BERLIN), BERLIN, two) is None
    assert schedule.reminder_instant(at(day, time(7, 0), BERLIN), BERLIN, two) == at(
        day, time(9, 0), BERLIN
    )
