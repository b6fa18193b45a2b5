"""The routing rule on its own: one destination for every snapshot, in the stated order."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from bot.conversation.rules import (
    AnswerRound,
    AskWhere,
    NoteCheckIn,
    ReplaceAnswer,
    RepliedKind,
    RepliedTo,
    Snapshot,
    Step,
    StepKind,
    ToPartner,
    destination,
)

NOW = datetime(2026, 3, 2, 20, 0, tzinfo=UTC)
SOON = NOW + timedelta(minutes=5)


def test_a_reply_decides_before_anything_else() -> None:
    busy = Snapshot(
        NOW,
        is_text=True,
        step=Step(StepKind.NOTE, 7, SOON),
        open_round_id=3,
        note_checkin_id=7,
    )
    question = RepliedTo(RepliedKind.QUESTION, 1)
    reveal = RepliedTo(RepliedKind.CONVERSATION, 2)
    checkin = RepliedTo(RepliedKind.CHECKIN, 9)
    assert destination(Snapshot(**{**busy.__dict__, "replied_to": question})) == AnswerRound(
        1, by_reply=True
    )
    assert destination(Snapshot(**{**busy.__dict__, "replied_to": reveal})) == ToPartner(2)
    assert destination(Snapshot(**{**busy.__dict__, "replied_to": checkin})) == NoteCheckIn(9)


def test_a_live_step_decides_next_and_an_expired_one_does_not() -> None:
    note = Step(StepKind.NOTE, 7, SOON)
    assert destination(Snapshot(NOW, True, step=note, open_round_id=3)) == NoteCheckIn(7)
    edit = Step(StepKind.EDIT, 3, SOON)
    assert destination(Snapshot(NOW, False, step=edit)) == ReplaceAnswer(3)
    expired = Step(StepKind.NOTE, 7, NOW - timedelta(seconds=1))
    assert destination(Snapshot(NOW, True, step=expired, open_round_id=3)) == AnswerRound(3)
    # A photo is no note: the note step leaves it to today's question.
    assert destination(Snapshot(NOW, False, step=note, open_round_id=3)) == AnswerRound(3)


def test_two_plausible_places_ask_and_nothing_open_offers_the_partner() -> None:
    both = Snapshot(NOW, True, open_round_id=3, note_checkin_id=7)
    assert destination(both) == AskWhere((AnswerRound(3), NoteCheckIn(7)))
    assert destination(Snapshot(NOW, True)) == AskWhere((ToPartner(None),))
    waiting = Snapshot(NOW, True, answered_round_id=3)
    assert destination(waiting) == AskWhere((ReplaceAnswer(3), ToPartner(None)))


snapshots = st.builds(
    Snapshot,
    now=st.just(NOW),
    is_text=st.booleans(),
    replied_to=st.none()
    | st.builds(RepliedTo, st.sampled_from(RepliedKind), st.none() | st.integers(1, 9)),
    step=st.none()
    | st.builds(
        Step,
        st.sampled_from(StepKind),
        st.integers(1, 9),
        st.none() | st.sampled_from([SOON, NOW - timedelta(minutes=1)]),
    ),
    open_round_id=st.none() | st.integers(1, 9),
    answered_round_id=st.none() | st.integers(1, 9),
    note_checkin_id=st.none() | st.integers(1, 9),
)


@given(snapshots)
def test_never_a_guess_about_an_older_round(snapshot: Snapshot) -> None:
    """A round is answered only by a reply, a live /edit step, or as today's open one;
    a question to ask always offers at least one place, and notes are words only."""
    where = destination(snapshot)
    options = where.options if isinstance(where, AskWhere) else (where,)
    assert options
    for option in options:
        if isinstance(option, AnswerRound) and not option.by_reply:
            assert option.round_id == snapshot.open_round_id
        if isinstance(option, NoteCheckIn) and not isinstance(where, AskWhere):
            replied = snapshot.replied_to
            assert snapshot.is_text or (replied is not None and replied.kind is RepliedKind.CHECKIN)
