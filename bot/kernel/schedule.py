"""Schedule maths: when a pair's daily question, quiet hours and check-ins fall.

Conventions (ARCHITECTURE.md, "Time"):

- An *instant* is a timezone-aware ``datetime`` in UTC. Every function here returns UTC
  instants and accepts any aware instant; a naive one raises ``ValueError``.
- A *zone* is a ``zoneinfo.ZoneInfo`` built from an IANA name.
- A *daily time* (``at``) is a wall-clock ``time`` in that zone; its tzinfo and fold are
  ignored.
- A *local date* is a calendar date in the pair's zone.

Wall-clock times that do not exist (a spring-forward gap) shift forward by the length of
the gap: 02:30 on a day when clocks jump from 02:00 to 03:00 is 03:30. Wall-clock times that
happen twice (a fall-back fold) take the first occurrence.

A daily schedule has one *occurrence* per local date: the instant
``resolve_local(day, at, zone)``, which belongs to ``day`` (its *scheduled date*). The
scheduled date is what a round is keyed by. It is almost always the local date of the
instant too, but not quite always: where clocks jump over midnight (America/Nuuk jumps
from 23:00 to 00:00 of the next day) 23:30 is shifted to 00:30 of the following date, yet
it still belongs to the day it was meant for, so no day is lost and no date gets two rounds.

A local date that a zone skips entirely (Pacific/Apia went from 29 to 31 December 2011)
has no occurrence: every time on it shifts by a full day onto the next date's occurrence,
which belongs to the next date. The pair simply has no round dated on a day that never
happened where they live.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

QUIET_START = time(22, 0)
QUIET_END = time(8, 0)

_ONE_DAY = timedelta(days=1)
_ONE_SECOND = timedelta(seconds=1)
# Enough days to scan for the next or previous occurrence: a zone skips at most one date,
# and the local date of an instant can be a day off from the date it belongs to.
_SCAN_DAYS = 8

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class DueRound:
    """A daily round that is due now.

    ``local_date`` is the scheduled date the round belongs to (the idempotency key together
    with the pair), ``scheduled_at`` is the instant that day's question was due, and
    ``following`` is the next occurrence strictly after now: the new ``next_prompt_at``.
    """

    local_date: date
    scheduled_at: datetime
    following: datetime


def _aware_utc(instant: datetime, name: str = "instant") -> datetime:
    if instant.tzinfo is None or instant.tzinfo.utcoffset(instant) is None:
        raise ValueError(f"{name} must be timezone-aware, got {instant!r}")
    return instant.astimezone(UTC)


def _wall(at: time) -> time:
    """A daily time as a plain wall-clock reading: no tzinfo, first fold."""
    return at.replace(tzinfo=None, fold=0)


def resolve_local(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of wall-clock time ``at`` on local date ``day`` in ``zone``.

    A time in a spring-forward gap shifts forward by the gap (02:30 becomes 03:30 when clocks
    jump 02:00 -> 03:00; 02:15 becomes 02:45 on Lord Howe Island's 30-minute jump). A time
    in a fall-back fold takes its first occurrence. On a date the zone skips entirely
    (Pacific/Apia, 30 Dec 2011) every time shifts by a whole day and lands on the same
    instant as the next date's; see ``occurrence_on``.
    """
    # zoneinfo resolves fold=0 with the offset in force *before* a transition, which is
    # exactly "shift forward" in a gap and "first occurrence" in a fold.
    return datetime.combine(day, _wall(at), tzinfo=zone).astimezone(UTC)


def occurrence_on(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The instant a daily time occurs for local date ``day``, or None if the zone skips
    that whole date (then the next date's occurrence is the same instant, and it is the
    next date's)."""
    instant = resolve_local(day, at, zone)
    if instant >= resolve_local(day + _ONE_DAY, at, zone):
        return None
    return instant


def local_date(instant: datetime, zone: ZoneInfo) -> date:
    """The calendar date in ``zone`` at ``instant``."""
    return _aware_utc(instant).astimezone(zone).date()


def next_dated_occurrence(after: datetime, at: time, zone: ZoneInfo) -> tuple[date, datetime]:
    """The first occurrence strictly after ``after``, with the local date it belongs to."""
    after = _aware_utc(after, "after")
    # Start two days back: around a fold that crosses midnight, or a gap shifted past
    # midnight, an occurrence and the local date of an instant can be a day apart.
    day = local_date(after, zone) - 2 * _ONE_DAY
    for _ in range(_SCAN_DAYS):
        instant = occurrence_on(day, at, zone)
        if instant is not None and instant > after:
            return day, instant
        day += _ONE_DAY
    raise RuntimeError(f"no occurrence of {at} in {zone} after {after}")  # pragma: no cover


def next_occurrence(after: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first instant strictly after ``after`` at which the daily time occurs.

    Called repeatedly (each time with the previous result) it yields exactly one instant
    per local date, in order, never skipping a date that exists in the zone: once over a
    fall-back fold, and shifted forward over a spring-forward gap.
    """
    return next_dated_occurrence(after, at, zone)[1]


def latest_occurrence(now: datetime, at: time, zone: ZoneInfo) -> tuple[date, datetime]:
    """The most recent occurrence at or before ``now``, and the local date it belongs to."""
    now = _aware_utc(now, "now")
    day = local_date(now, zone) + 2 * _ONE_DAY
    for _ in range(_SCAN_DAYS):
        instant = occurrence_on(day, at, zone)
        if instant is not None and instant <= now:
            return day, instant
        day -= _ONE_DAY
    raise RuntimeError(f"no occurrence of {at} in {zone} before {now}")  # pragma: no cover


def due_round(next_due: datetime, now: datetime, at: time, zone: ZoneInfo) -> DueRound | None:
    """Whether a pair whose ``next_prompt_at`` is ``next_due`` gets a round now, and which.

    None while ``next_due`` is still in the future. Otherwise the round is dated with the
    local date of the *latest* occurrence at or before ``now``, and ``following`` is the
    first occurrence strictly after ``now``.

    Catch-up rule: after downtime, however many days were missed, exactly one round is
    created, for the most recent day whose delivery time has passed (today if today's time
    has come, else yesterday). Missed earlier days are skipped, never sent as a backlog, and
    ``following`` is in the future, so the next tick does not fire again. If the latest
    date already has a round (the unique key on ``(pair, local_date)``), creating it again
    is a no-op and only ``next_prompt_at`` moves on.
    """
    next_due = _aware_utc(next_due, "next_due")
    now = _aware_utc(now, "now")
    if next_due > now:
        return None
    day, scheduled_at = latest_occurrence(now, at, zone)
    return DueRound(
        local_date=day,
        scheduled_at=scheduled_at,
        following=next_occurrence(now, at, zone),
    )


class DueRounds:
    """`due_round` for many pairs at one instant, as the daily fan-out asks it.

    Past ``next_due`` the answer depends only on the daily time and the zone, and
    thousands of pairs share a handful of those, so each is worked out once.
    """

    def __init__(self, now: datetime) -> None:
        self.now = _aware_utc(now, "now")
        self._known: dict[tuple[time, str], DueRound | None] = {}

    def for_pair(self, next_due: datetime, at: time, zone_name: str) -> DueRound | None:
        if _aware_utc(next_due, "next_due") > self.now:
            return None
        key = (at, zone_name)
        if key not in self._known:
            self._known[key] = due_round(self.now, self.now, at, ZoneInfo(zone_name))
        return self._known[key]


def first_round_date(paired_at: datetime, zone: ZoneInfo) -> date:
    """The date of the question both partners get right after pairing: the local date of
    pairing, whatever the time of day."""
    return local_date(paired_at, zone)


def next_after_first(paired_at: datetime, at: time, zone: ZoneInfo) -> datetime:
    """The first regular occurrence after the pairing question: the occurrence for the
    first local date after ``first_round_date`` (normally tomorrow at ``at``). Today's
    occurrence is skipped even if its time has not come yet, since today already has its
    question."""
    paired_at = _aware_utc(paired_at, "paired_at")
    first = first_round_date(paired_at, zone)
    day = first + _ONE_DAY
    for _ in range(_SCAN_DAYS):
        instant = occurrence_on(day, at, zone)
        if instant is not None and instant > paired_at:
            return instant
        day += _ONE_DAY
    raise RuntimeError(f"no occurrence of {at} in {zone} after {first}")  # pragma: no cover


# --- quiet hours ----------------------------------------------------------------------


def _in_window(wall: time, start: time, end: time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= wall < end
    return wall >= start or wall < end  # the window crosses midnight


def in_quiet_hours(
    instant: datetime,
    zone: ZoneInfo,
    start: time = QUIET_START,
    end: time = QUIET_END,
) -> bool:
    """Whether the wall clock in ``zone`` at ``instant`` reads within ``[start, end)``.

    The window may cross midnight (22:00-08:00, the default) or not (13:00-14:00). When
    ``start == end`` there are no quiet hours.
    """
    wall = _aware_utc(instant).astimezone(zone).time().replace(fold=0)
    return _in_window(wall, _wall(start), _wall(end))


def end_of_quiet_hours(
    instant: datetime,
    zone: ZoneInfo,
    start: time = QUIET_START,
    end: time = QUIET_END,
) -> datetime:
    """The first instant at or after ``instant`` when sending is allowed.

    That is ``instant`` itself outside quiet hours, else the next instant the wall clock
    reaches ``end``. If ``end`` falls in a spring-forward gap, the quiet hours end at the
    jump itself (the clock skips from before ``end`` to after it).
    """
    instant = _aware_utc(instant)
    if not in_quiet_hours(instant, zone, start, end):
        return instant
    today = local_date(instant, zone)
    candidates = []
    for offset in range(3):
        wall = datetime.combine(today + offset * _ONE_DAY, _wall(end), tzinfo=zone)
        for fold in (0, 1):  # over a fold, the clock reaches ``end`` twice
            candidate = wall.replace(fold=fold).astimezone(UTC)
            if candidate > instant and not in_quiet_hours(candidate, zone, start, end):
                candidates.append(candidate)
    best = min(candidates)
    if in_quiet_hours(best - _ONE_SECOND, zone, start, end):
        return best
    # ``end`` was skipped by a gap: find the jump. Quiet until it, allowed from it on.
    quiet, allowed = instant, best
    while allowed - quiet > _ONE_SECOND:
        middle = quiet + (allowed - quiet) / 2
        if in_quiet_hours(middle, zone, start, end):
            quiet = middle
        else:
            allowed = middle
    whole = allowed.replace(microsecond=0)  # transitions happen on whole seconds
    if whole > instant and not in_quiet_hours(whole, zone, start, end):
        return whole
    return allowed  # pragma: no cover


# --- weekly and monthly cadences --------------------------------------------------------


def _check_weekday(weekday: int) -> None:
    if not 0 <= weekday <= 6:
        raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), got {weekday}")


def next_weekly(
    after: datetime,
    weekday: int,
    at: time,
    zone: ZoneInfo,
    every_weeks: int = 1,
) -> datetime:
    """The next check-in of an every-``every_weeks``-weeks cadence.

    ``weekday`` is 0 (Monday) to 6 (Sunday). The cadence counts from ``after``, normally the
    previous check-in: take the first ``weekday`` at ``at`` strictly after ``after``, then
    ``every_weeks - 1`` more weeks. So from a check-in itself the next one is exactly
    ``every_weeks`` weeks later, at the same wall-clock time whatever DST did in between.
    For the very first check-in use ``every_weeks=1`` (the coming ``weekday``). Gap and fold
    rules are those of ``resolve_local``.
    """
    _check_weekday(weekday)
    if every_weeks < 1:
        raise ValueError(f"every_weeks must be at least 1, got {every_weeks}")
    after = _aware_utc(after, "after")
    day = local_date(after, zone) - 2 * _ONE_DAY
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while resolve_local(day, at, zone) <= after:
        day += timedelta(weeks=1)
    return resolve_local(day + timedelta(weeks=every_weeks - 1), at, zone)


def first_weekday_of_month(year: int, month: int, weekday: int) -> date:
    """The first ``weekday`` (0 = Monday) of a month: always one of its days 1 to 7."""
    _check_weekday(weekday)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7)


def next_monthly(after: datetime, weekday: int, at: time, zone: ZoneInfo) -> datetime:
    """The next monthly check-in: the first ``weekday`` of a month (its first week, days
    1-7) at ``at``, strictly after ``after``. This month's if it is still to come, else next
    month's. (Every four weeks is not monthly: this stays on the first week of each month.)
    """
    _check_weekday(weekday)
    after = _aware_utc(after, "after")
    today = local_date(after, zone)
    # This month's first week if still ahead, else next month's (one month spare).
    year, month = today.year, today.month
    for _ in range(3):
        instant = resolve_local(first_weekday_of_month(year, month, weekday), at, zone)
        if instant > after:
            return instant
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    raise RuntimeError(f"no monthly occurrence after {after}")  # pragma: no cover


# --- display ---------------------------------------------------------------------------


def format_local(instant: datetime, zone: ZoneInfo) -> str:
    """The wall-clock time in ``zone`` at ``instant``, like ``"20:00"``."""
    return _aware_utc(instant).astimezone(zone).strftime("%H:%M")


def describe_zone_now(zone: ZoneInfo, now: datetime) -> str:
    """Like ``"Europe/Berlin, where it is now 14:05 (Sun 22 Nov)"`` (English, no locale)."""
    local = _aware_utc(now, "now").astimezone(zone)
    return (
        f"{zone}, where it is now {local:%H:%M} "
        f"({_WEEKDAYS[local.weekday()]} {local.day} {_MONTHS[local.month - 1]})"
    )


# --- each partner's own time --------------------------------------------------------


@dataclass(frozen=True)
class PartnerClock:
    """One partner's daily time ``at`` in their own ``zone``."""

    at: time
    zone: ZoneInfo


@dataclass(frozen=True)
class PairRound:
    """One pair-day: the round created at ``created`` (the earlier partner's delivery).

    ``deliveries`` holds each partner's own delivery instant, in the order of the clocks
    given; ``local_date`` is the pair-day (the key of the round); ``following`` is the next
    creation instant (the pair's new ``next_prompt_at``).
    """

    local_date: date
    created: datetime
    deliveries: tuple[datetime, ...]
    following: datetime


def next_own_delivery(after: datetime, clock: PartnerClock, last: datetime | None) -> datetime:
    """A partner's next question: the first occurrence of their time strictly after
    ``after`` and after ``last`` (their latest question, sent or on its way), on a date of
    theirs later than ``last``'s. So a changed time or zone never gives anyone a second
    question on a day of theirs that already had one."""
    after = _aware_utc(after, "after")
    if last is None:
        return next_occurrence(after, clock.at, clock.zone)
    last = _aware_utc(last, "last")
    served = local_date(last, clock.zone)
    day, instant = next_dated_occurrence(max(after, last), clock.at, clock.zone)
    while day <= served:
        day, instant = next_dated_occurrence(instant, clock.at, clock.zone)
    return instant


def next_creation(
    after: datetime,
    clocks: Sequence[PartnerClock],
    lasts: Sequence[datetime | None] | None = None,
) -> datetime:
    """When the pair's next round is made (after /time, /timezone, a resume or a pause):
    the earliest of the partners' next own deliveries (``next_own_delivery``; ``lasts``
    are their latest questions, in the order of ``clocks``)."""
    known = lasts if lasts is not None else [None] * len(clocks)
    return min(
        next_own_delivery(after, clock, last) for clock, last in zip(clocks, known, strict=True)
    )


def leading_clock(after: datetime, clocks: Sequence[PartnerClock]) -> PartnerClock:
    """The clock of the partner whose time comes first after ``after``: the pair's
    check-ins are counted on it (each partner is then asked at their own time)."""
    return min(clocks, key=lambda clock: next_occurrence(after, clock.at, clock.zone))


def pair_round(created: datetime, clocks: Sequence[PartnerClock]) -> PairRound:
    """The pair-day whose round is created at ``created``.

    Each partner gets the shared question at their own first occurrence at or after
    ``created`` (so within a day of it). The pair-day is the latest of the dates those
    deliveries belong to: the day by which both have it. The next round is created at the
    first occurrence of anyone's time after *every* delivery of this one, so nobody gets
    two questions for one of their days, and each partner gets one per day of theirs.
    """
    created = _aware_utc(created, "created")
    just_before = created - timedelta(microseconds=1)
    dated = [next_dated_occurrence(just_before, clock.at, clock.zone) for clock in clocks]
    last = max(instant for _, instant in dated)
    return PairRound(
        local_date=max(day for day, _ in dated),
        created=created,
        deliveries=tuple(instant for _, instant in dated),
        following=next_creation(last, clocks),
    )


def due_pair_round(
    next_due: datetime, now: datetime, clocks: Sequence[PartnerClock]
) -> PairRound | None:
    """Whether a pair whose ``next_prompt_at`` is ``next_due`` gets a round now, and which.

    None while ``next_due`` is in the future. Otherwise the round is the one created at the
    latest occurrence of anyone's time at or before ``now``: on time that is ``next_due``
    itself; after downtime it is only the latest pair-day (earlier days are skipped, never
    sent as a backlog), and a partner whose own time of that day has passed too gets it at
    once.
    """
    if _aware_utc(next_due, "next_due") > _aware_utc(now, "now"):
        return None
    created = max(latest_occurrence(now, clock.at, clock.zone)[1] for clock in clocks)
    return pair_round(created, clocks)


def first_pair_round(paired_at: datetime, clocks: Sequence[PartnerClock]) -> PairRound:
    """The round both partners get right after pairing, at once.

    Its pair-day is the latest local date of pairing among the partners; each partner's
    next question is their own occurrence on the first of their dates after that day's
    (today's time is skipped even if still ahead: today already has its question).
    """
    paired_at = _aware_utc(paired_at, "paired_at")
    day = max(local_date(paired_at, clock.zone) for clock in clocks)
    following = min(_first_occurrence_after_date(day, clock) for clock in clocks)
    return PairRound(day, paired_at, tuple(paired_at for _ in clocks), following)


def _first_occurrence_after_date(day: date, clock: PartnerClock) -> datetime:
    for offset in range(1, _SCAN_DAYS):
        instant = occurrence_on(day + offset * _ONE_DAY, clock.at, clock.zone)
        if instant is not None:
            return instant
    raise RuntimeError(f"no occurrence of {clock.at} after {day}")  # pragma: no cover


class DuePairRounds:
    """`due_pair_round` for many pairs at one instant, as the daily fan-out asks it: past
    ``next_due`` the answer depends only on the partners' clocks, which thousands of pairs
    share, so each combination is worked out once."""

    def __init__(self, now: datetime) -> None:
        self.now = _aware_utc(now, "now")
        self._known: dict[tuple[tuple[time, str], ...], PairRound] = {}

    def for_pair(self, next_due: datetime, clocks: Sequence[tuple[time, str]]) -> PairRound | None:
        if _aware_utc(next_due, "next_due") > self.now:
            return None
        key = tuple(clocks)
        if key not in self._known:
            zoned = [PartnerClock(at, ZoneInfo(zone)) for at, zone in key]
            found = due_pair_round(self.now, self.now, zoned)
            assert found is not None
            self._known[key] = found
        return self._known[key]


# --- quiet hours for every message ----------------------------------------------------

CHOSEN_GRACE = timedelta(hours=1)


def earliest_allowed(
    instant: datetime,
    zone: ZoneInfo,
    chosen: time | None = None,
    start: time = QUIET_START,
    end: time = QUIET_END,
) -> datetime:
    """The first instant at or after ``instant`` at which a message may reach someone
    whose zone is ``zone`` and whose own daily time is ``chosen``.

    Quiet hours are ``[start, end)`` on their wall clock (22:00-08:00 by default). A person
    who chose a daily time inside that window has said they are awake then: the hour that
    starts at their chosen time, ``[chosen, chosen + 1h)``, is open to them every day (so
    their question comes at their time, and a nudge or reveal that follows within the hour
    does too). The rest of the window stays quiet. A direct reply to something the person
    just did is not held at all; that is for the caller to say (see OutboxRepository).
    """
    instant = _aware_utc(instant)
    if not in_quiet_hours(instant, zone, start, end):
        return instant
    candidates = [end_of_quiet_hours(instant, zone, start, end)]
    if chosen is not None and _in_window(_wall(chosen), _wall(start), _wall(end)):
        _, latest = latest_occurrence(instant, chosen, zone)
        if instant < latest + CHOSEN_GRACE:
            return instant
        candidates.append(next_occurrence(instant, chosen, zone))
    return min(candidates)


# --- the one gentle reminder ----------------------------------------------------------

REMINDER_LATEST = time(21, 30)


def reminder_instant(
    delivered: datetime,
    zone: ZoneInfo,
    after: timedelta,
    latest: time = REMINDER_LATEST,
    start: time = QUIET_START,
    end: time = QUIET_END,
) -> datetime | None:
    """When a partner's one reminder goes: ``after`` their own delivery, or never.

    None (no reminder that day) when that instant falls on a later local date than the
    delivery, after ``latest`` (21:30) on their clock, or in their quiet hours. So a
    reminder always speaks of a question that is still today's for its reader.
    """
    delivered = _aware_utc(delivered, "delivered")
    at = delivered + after
    local = at.astimezone(zone)
    if not reminder_still_fits(at, at, zone, latest, start, end) or local.date() != local_date(
        delivered, zone
    ):
        return None
    return at


def reminder_still_fits(
    due: datetime,
    now: datetime,
    zone: ZoneInfo,
    latest: time = REMINDER_LATEST,
    start: time = QUIET_START,
    end: time = QUIET_END,
) -> bool:
    """Whether a reminder due at ``due`` may still go at ``now`` (a tick can come late, or
    the reader's zone changed): only on the same local date, by ``latest``, outside quiet
    hours. Otherwise it is dropped for that day, never sent the next morning."""
    local_now = _aware_utc(now, "now").astimezone(zone)
    if local_now.date() != local_date(due, zone):
        return False
    return local_now.time().replace(fold=0) <= _wall(latest) and not in_quiet_hours(
        now, zone, start, end
    )
