"""A lived-in couple: two pairs whose partners live 9+ hours apart play through weeks of
ordinary use (answering, replying to older questions, rating, noting, skipping, reacting,
relaying, and changing their settings) in a seeded random order, against the real bot and
the sandbox. After every step the invariants the product promises are checked:

- every message lands where the acknowledgement says, and only there;
- no rating is lost;
- each partner gets exactly one reveal per round and per check-in;
- nothing reaches anyone in their night unless it answers what they just did, or they
  chose a daily time in the night themselves;
- nothing of one pair reaches the other pair.

The default run is sized for CI on both engines; `-m heavy` plays longer and more seeds.
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from datetime import time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from sandbox import BotMessage, SimulatedUser
from tests.conftest import Running
from tests.helpers import QUESTION, Couple, as_instant, pair_couple, rows, scalar

WEEKS = int(os.environ.get("HEARTH_LIVED_IN_WEEKS", "8"))
# HEARTH_LIVED_IN_NIGHTS=0 turns the night check off (to look at the others alone).
CHECK_NIGHTS = os.environ.get("HEARTH_LIVED_IN_NIGHTS", "1") == "1"
QUIET_START, QUIET_END = time(22, 0), time(8, 0)
REVEAL = "You've both answered."
CHECKIN_REVEAL = "💛 <b>Your check-in</b>"
NOTICES = {
    "reminders": ("turned reminders",),
    "topics": ("changed the topics your daily questions come from",),
    "cadence": ("changed your check-ins", "turned check-ins off for you both"),
}
RATING_WORDS = ("5 · Very close", "4 · Close", "3 · Okay", "2 · A bit distant", "1 · Far apart")


@dataclass
class Partner:
    user: SimulatedUser
    name: str
    zones: tuple[str, str]  # the zone they live in, and one they move to now and then
    zone: str = ""
    chosen: time = time(20, 0)
    # Every daily time they have chosen: a question already queued keeps the time it was
    # queued for, so a night-time choice of last week can still be what arrives.
    ever_chosen: set[time] = field(default_factory=lambda: {time(20, 0)})
    read: int = 0  # how many of their messages the simulation has looked at
    written: list[str] = field(default_factory=list)

    @property
    def id(self) -> int:
        return self.user.id


@dataclass
class PairState:
    couple: Couple
    partners: tuple[Partner, Partner]
    ratings: dict[tuple[int, int], int] = field(default_factory=dict)  # (checkin, person)
    # Changes to a shared setting, by (setting, person who made them).
    changes: dict[tuple[str, int], int] = field(default_factory=dict)

    def changed(self, setting: str, person: Partner) -> None:
        key = (setting, person.id)
        self.changes[key] = self.changes.get(key, 0) + 1

    def partner_of(self, person: Partner) -> Partner:
        return self.partners[1] if person is self.partners[0] else self.partners[0]


class LivedIn:
    def __init__(self, bot: Running, rng: random.Random, pairs: list[PairState]) -> None:
        self.bot = bot
        self.rng = rng
        self.pairs = pairs
        self.step = 0
        self.log: list[str] = []

    # --- the actions ---------------------------------------------------------------------

    async def run(self, weeks: int) -> None:
        end = self.bot.clock.now() + timedelta(weeks=weeks)
        while self.bot.clock.now() < end:
            await self.pass_time(timedelta(hours=self.rng.choice((1, 2, 3))))
            for _ in range(self.rng.choice((0, 1, 1, 2, 3))):
                pair = self.rng.choice(self.pairs)
                person = self.rng.choice(pair.partners)
                action = self.rng.choice(self.actions)
                self.step += 1
                self.log.append(
                    f"{self.step} {self.bot.clock.now():%a %d %b %H:%M} "
                    f"{person.name}: {action.__name__}"
                )
                await action(pair, person)
                await self.check(actor=person)
        await self.pass_time(timedelta(days=1), step=timedelta(hours=1))
        await self.check_final()

    @property
    def actions(self) -> list[Any]:
        weighted = [
            (self.write, 6),
            (self.reply_to_old_question, 2),
            (self.reply_to_reveal, 2),
            (self.rate, 3),
            (self.react, 1),
            (self.set_time, 1),
            (self.set_zone, 1),
            (self.pause_or_resume, 1),
            (self.toggle_reminders, 1),
            (self.toggle_topic, 1),
            (self.change_cadence, 1),
        ]
        return [action for action, weight in weighted for _ in range(weight)]

    async def pass_time(self, span: timedelta, step: timedelta | None = None) -> None:
        target = self.bot.clock.now() + span
        while self.bot.clock.now() < target:
            self.bot.clock.set(min(target, self.bot.clock.now() + (step or span)))
            await self.bot.hearth.tick()
            await self.bot.settle()
            await self.check(actor=None)

    async def write(self, pair: PairState, person: Partner, reply_to: int | None = None) -> None:
        body = self.words(person)
        before = len(person.user.inbox)
        if reply_to is None:
            await person.user.send_text(body)
        else:
            await person.user.reply_to(reply_to, body)
        await self.bot.settle()
        ack = await self.direct_reply(person, before)
        asks = ("Where should this message go", "send this to")
        if ack.buttons and any(fragment in ack.text for fragment in asks):
            assert await self.held(body), "an asked-about message is kept until a tap"
            choice = self.rng.choice(ack.button_texts)
            await person.user.press_button(choice, message_id=ack.message_id)
            await self.bot.settle()
        await self.assert_landed(pair, person, body, ack, reply_to)

    async def reply_to_old_question(self, pair: PairState, person: Partner) -> None:
        questions = [m for m in person.user.inbox if m.contains(QUESTION)]
        if questions:
            await self.write(pair, person, self.rng.choice(questions).message_id)

    async def reply_to_reveal(self, pair: PairState, person: Partner) -> None:
        reveals = [m for m in person.user.inbox if m.contains(REVEAL) and m.buttons]
        if reveals:
            await self.write(pair, person, self.rng.choice(reveals).message_id)

    async def rate(self, pair: PairState, person: Partner) -> None:
        asks = [m for m in person.user.inbox if set(m.button_texts) == set(RATING_WORDS)]
        if not asks:
            return
        ask = asks[-1]
        checkin_id = int((ask.buttons[0][0].data or "").removeprefix("ci:").split(":")[0])
        word = self.rng.choice(RATING_WORDS)
        await person.user.press_button(word, message_id=ask.message_id)
        await self.bot.settle()
        if not ask.contains("You chose"):
            return  # closed meanwhile: the button says so, nothing was recorded
        pair.ratings[(checkin_id, person.id)] = int(word[0])
        follow = self.rng.random()
        if follow < 0.3 and ask.buttons:
            await person.user.press_button("Add a note", message_id=ask.message_id)
            await self.bot.settle()
            await self.write(pair, person)
        elif follow < 0.6 and ask.buttons:
            await person.user.press_button("Skip", message_id=ask.message_id)
            await self.bot.settle()

    async def react(self, pair: PairState, person: Partner) -> None:
        reveals = [m for m in person.user.inbox if m.contains(REVEAL) and m.buttons]
        if reveals:
            await person.user.press(reveals[-1].buttons[0][0].data or "")
            await self.bot.settle()

    async def set_time(self, pair: PairState, person: Partner) -> None:
        hour = self.rng.choice((7, 8, 12, 18, 20, 21, 23))
        await person.user.send_command("/time", f"{hour}:00")
        await self.bot.settle()
        if self.reply_to(person).contains("Done") or self.reply_to(person).contains(f"{hour}:00"):
            person.chosen = time(hour, 0)
            person.ever_chosen.add(person.chosen)

    async def set_zone(self, pair: PairState, person: Partner) -> None:
        zone = person.zones[1] if person.zone == person.zones[0] else person.zones[0]
        await person.user.send_command("/timezone", zone)
        await self.bot.settle()
        self.reply_to(person)
        person.zone = zone

    async def pause_or_resume(self, pair: PairState, person: Partner) -> None:
        if self.rng.random() < 0.5:
            await person.user.send_command("/pause", str(self.rng.choice((1, 2, 3))))
        else:
            await person.user.send_command("/resume")
        await self.bot.settle()
        self.reply_to(person)

    async def toggle_reminders(self, pair: PairState, person: Partner) -> None:
        await person.user.send_command("/reminders", self.rng.choice(("on", "off")))
        await self.bot.settle()
        self.reply_to(person)
        pair.changed("reminders", person)

    async def toggle_topic(self, pair: PairState, person: Partner) -> None:
        await person.user.send_command("/topics")
        await self.bot.settle()
        menu = self.reply_to(person)
        if menu.buttons:
            await person.user.press_button(
                self.rng.choice(menu.button_texts), message_id=menu.message_id
            )
            await self.bot.settle()
            pair.changed("topics", person)

    async def change_cadence(self, pair: PairState, person: Partner) -> None:
        await person.user.send_command("/checkins")
        await self.bot.settle()
        menu = self.reply_to(person)
        if menu.buttons:
            await person.user.press_button(
                self.rng.choice(menu.button_texts), message_id=menu.message_id
            )
            await self.bot.settle()
            pair.changed("cadence", person)

    # --- what is checked -------------------------------------------------------------------

    async def assert_landed(
        self, pair: PairState, person: Partner, body: str, ack: BotMessage, reply_to: int | None
    ) -> None:
        """The message is stored where the acknowledgement says, and nowhere else."""
        places = await self.places_of(body)
        said = ack.plain_text
        where = self.trace()
        if said.startswith(("Saved. Your answer to", "Updated. Your answer to")):
            assert places == {"answer"}, where
            question = said.split("\n")[1]
            stored = await scalar(
                self.bot,
                "SELECT r.prompt_id FROM answer a JOIN round r ON r.id = a.round_id "
                "WHERE a.body = :body AND a.person_id = :person",
                body=body,
                person=person.id,
            )
            shown = self.bot.hearth.catalog.prompt(str(stored))
            assert shown is not None, where
            assert shown.text == question, f"the answer went where the reply names. {where}"
            if reply_to is not None and said.startswith("Saved."):
                replied = next(m for m in person.user.inbox if m.message_id == reply_to)
                if replied.contains(QUESTION):
                    assert question in replied.plain_text, f"a reply answers its question. {where}"
        elif said.startswith(("Saved. You've both answered",)):
            assert places == {"answer"}, where
        elif "Sent to" in said:
            assert places == {"relay"}, where
        elif "check-in note" in said or "Your note is on its way" in said:
            assert places == {"note"}, where
        else:
            assert places == set(), f"{said!r} stores nothing. {where}"

    async def places_of(self, body: str) -> set[str]:
        found = set()
        if await scalar(self.bot, "SELECT count(*) FROM answer WHERE body = :b", b=body):
            found.add("answer")
        notes = await rows(self.bot, "SELECT a_note, b_note FROM checkin")
        if any(body in (note or "") for row in notes for note in row):
            found.add("note")
        relays = await rows(self.bot, "SELECT params FROM outbox WHERE kind = 'relay'")
        if any(body in str(row[0]) for row in relays):
            found.add("relay")
        return found

    async def held(self, body: str) -> bool:
        kept = await rows(self.bot, "SELECT payload FROM held_message")
        return any(body in str(row[0]) for row in kept)

    async def check(self, actor: Partner | None) -> None:
        for pair in self.pairs:
            for person in pair.partners:
                await self.check_new_messages(pair, person, actor)
            await self.check_ratings(pair)
            await self.check_reveals(pair, final=False)
            self.check_notices(pair)

    async def check_new_messages(
        self, pair: PairState, person: Partner, actor: Partner | None
    ) -> None:
        others = [p for other in self.pairs if other is not pair for p in other.partners]
        for message in person.user.inbox[person.read :]:
            for stranger in others:
                assert stranger.name not in message.plain_text, f"pairs stay apart. {self.trace()}"
                for words in stranger.written:
                    assert words not in message.plain_text, f"pairs stay apart. {self.trace()}"
            if CHECK_NIGHTS and person is not actor:
                await self.check_not_in_the_night(person, message)
        person.read = len(person.user.inbox)

    async def check_not_in_the_night(self, person: Partner, message: BotMessage) -> None:
        """What the bot sent this person without their asking was meant for their day: the
        instant it was due (or queued, if later) is outside their quiet hours. (The
        simulation ticks every hour or three, so a message due at 21:03 may arrive at 23:00
        here, as after a real outage; what is checked is when it was meant to arrive.)"""
        queued = await rows(
            self.bot,
            "SELECT not_before, created_at FROM outbox "
            "WHERE recipient_id = :p AND telegram_message_id = :m",
            p=person.id,
            m=message.message_id,
        )
        if not queued:
            return  # a direct reply, or not yet recorded
        due = max(as_instant(queued[0][0]), as_instant(queued[0][1]))
        local = due.astimezone(ZoneInfo(person.zone)).time()
        assert not _in_quiet_hours(local) or _chosen_then(person, local), (
            f"{person.name} was meant to get {message.plain_text[:60]!r} at {local} in "
            f"{person.zone} (chose {person.chosen}). {self.trace()}"
        )

    def check_notices(self, pair: PairState) -> None:
        """A partner hears of a shared setting only when the other changed it, at most once
        a change (changes close together fold into one notice), named by who changed it."""
        for reader in pair.partners:
            changer = pair.partner_of(reader)
            for setting, markers in NOTICES.items():
                told = [m for m in reader.user.inbox if any(map(m.contains, markers))]
                assert len(told) <= pair.changes.get((setting, changer.id), 0), self.trace()
                assert all(m.contains(f"<b>{changer.name}</b>") for m in told), self.trace()

    async def check_ratings(self, pair: PairState) -> None:
        for (checkin_id, person_id), rating in pair.ratings.items():
            column = "a_rating" if person_id == pair.partners[0].id else "b_rating"
            stored = await scalar(
                self.bot,
                f"SELECT {column} FROM checkin WHERE id = :id",
                id=checkin_id,
            )
            assert stored == rating, f"no rating is lost. {self.trace()}"

    async def check_reveals(self, pair: PairState, *, final: bool) -> None:
        revealed = await scalar(
            self.bot,
            "SELECT count(*) FROM round WHERE pair_id = :p AND status = 'revealed'",
            p=pair.couple.pair_id,
        )
        checkins = await scalar(
            self.bot,
            "SELECT count(*) FROM checkin WHERE pair_id = :p AND status = 'revealed'",
            p=pair.couple.pair_id,
        )
        for person in pair.partners:
            seen = sum(m.contains(REVEAL) for m in person.user.inbox)
            seen_checkins = sum(
                m.contains(CHECKIN_REVEAL) and not m.contains("Check-in started")
                for m in person.user.inbox
            )
            if final:
                assert seen == revealed, f"one reveal per round. {self.trace()}"
                assert seen_checkins == checkins, f"one per check-in. {self.trace()}"
            else:
                assert seen <= revealed, f"one reveal per round. {self.trace()}"
                assert seen_checkins <= checkins, f"one per check-in. {self.trace()}"

    async def check_final(self) -> None:
        for pair in self.pairs:
            await self.check_reveals(pair, final=True)

    # --- helpers ---------------------------------------------------------------------------

    def words(self, person: Partner) -> str:
        body = f"{person.name.lower()}-words-{self.step}-{self.rng.randrange(10**6)}"
        person.written.append(body)
        return body

    async def direct_reply(self, person: Partner, before: int) -> BotMessage:
        """The bot's direct reply among the messages since `before`. Outbox messages (a
        reveal the answer caused, a notice that fell due meanwhile) are recorded with their
        Telegram ids when the sender's drain ends, so a second look settles a race."""
        for _ in range(5):
            queued = {
                row[0]
                for row in await rows(
                    self.bot,
                    "SELECT telegram_message_id FROM outbox WHERE recipient_id = :p",
                    p=person.id,
                )
            }
            direct = [m for m in person.user.inbox[before:] if m.message_id not in queued]
            if len(direct) == 1:
                return direct[0]
            # A drain started by the sender's own poll is not waited for by settle():
            # waking it queues one more drain after it, and settle() waits for that.
            self.bot.hearth.sender.wake()
            await self.bot.settle()
        raise AssertionError(f"one direct reply: {[m.text for m in direct]}. {self.trace()}")

    def reply_to(self, person: Partner) -> BotMessage:
        """The bot's newest message to this person (its reply to what they just did)."""
        message = person.user.last_message
        assert message is not None, self.trace()
        return message

    def trace(self) -> str:
        return "Last steps:\n" + "\n".join(self.log[-12:])


def _in_quiet_hours(local: time) -> bool:
    return local >= QUIET_START or local < QUIET_END


def _chosen_then(person: Partner, local: time) -> bool:
    """Within the hour after a daily time the person chose in the night (the bot allows
    that hour: they said they are awake then)."""
    minutes = local.hour * 60 + local.minute
    for chosen in person.ever_chosen:
        start = chosen.hour * 60 + chosen.minute
        if _in_quiet_hours(chosen) and 0 <= (minutes - start) % (24 * 60) <= 60:
            return True
    return False


async def _couple(bot: Running, ids: tuple[int, int], names: tuple[str, str]) -> Couple:
    return await pair_couple(bot, (ids[0], names[0]), (ids[1], names[1]))


async def _world(bot: Running, seed: int) -> LivedIn:
    plans = [
        (
            (2001, 2002),
            ("Alice", "Bob"),
            (("Europe/Berlin", "Europe/Paris"), ("America/Los_Angeles", "America/Vancouver")),
        ),
        (
            (2003, 2004),
            ("Carol", "Dan"),
            (("Asia/Tokyo", "Asia/Seoul"), ("America/New_York", "America/Toronto")),
        ),
    ]
    pairs = []
    for ids, names, zones in plans:
        couple = await _couple(bot, ids, names)
        partners = tuple(
            Partner(user, name, zone_pair, zone=zone_pair[0])
            for user, name, zone_pair in zip(couple.both, names, zones, strict=True)
        )
        for partner in partners:
            await partner.user.send_command("/timezone", partner.zone)
        await bot.settle()
        pairs.append(PairState(couple, partners))  # type: ignore[arg-type]
    world = LivedIn(bot, random.Random(seed), pairs)
    for pair in pairs:
        for person in pair.partners:
            person.read = len(person.user.inbox)
    return world


@pytest.mark.parametrize("seed", [11])
async def test_eight_weeks_of_an_ordinary_couple(bot: Running, seed: int) -> None:
    world = await _world(bot, seed)
    await world.run(WEEKS)
    assert world.step > 100, "the run exercised the bot"


@pytest.mark.heavy
@pytest.mark.parametrize("seed", [23, 47])
async def test_many_weeks_of_ordinary_couples(bot: Running, seed: int) -> None:
    world = await _world(bot, seed)
    await world.run(WEEKS * 2)
