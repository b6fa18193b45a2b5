"""Thin handlers for each partner's time: /time, /timezone, /pause, /resume, /reminders,
and /status (who you are paired with, your schedule and streak: mostly the schedule, so
it lives here)."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from bot.kernel.text_input import ascii_number
from bot.pairing import texts as pairing_texts
from bot.pairing.service import PairingService
from bot.rounds.service import (
    RoundService,
)
from bot.schedule import texts as schedule_texts
from bot.schedule.service import (
    PairSettingsService,
    Paused,
    RemindersSet,
    Resumed,
    TimeSet,
    ZoneChoices,
    ZoneSet,
)
from bot.telegram import texts
from bot.telegram.chat import Context, person_of, reply


def _args_text(context: Context) -> str:
    return " ".join(context.args or []).strip()


@dataclass
class ScheduleHandlers:
    settings: PairSettingsService
    pairing: PairingService
    rounds: RoundService

    async def status(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        state = await self.pairing.status(person_of(user))
        if state.partner_name is None or state.paired_since is None or state.pair_id is None:
            await reply(message, texts.STATUS_UNPAIRED)
            return
        current = await self.settings.schedule_of(user.id)
        streak = await self.rounds.streak(state.pair_id)
        lines = [pairing_texts.status_paired(state.partner_name, state.paired_since)]
        if current is not None:
            lines.append(
                schedule_texts.status_schedule(
                    current.time_text,
                    current.zone,
                    current.paused,
                    current.paused_until_text,
                    streak,
                    current.reminders,
                    current.zone_known,
                )
            )
        await reply(message, "\n\n".join(lines))

    async def time(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = _args_text(context)
        if not text:
            await reply(message, await self._schedule_summary(user.id) + "\n\n" + texts.TIME_HELP)
            return
        outcome = await self.settings.set_time(person_of(user), text)
        if isinstance(outcome, TimeSet):
            await reply(
                message,
                schedule_texts.time_set(outcome.time_text, outcome.zone, outcome.zone_known),
            )
        else:
            await reply(message, texts.refusal(outcome))

    async def timezone(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = _args_text(context)
        if not text:
            await reply(message, texts.ZONE_HELP)
            return
        outcome = await self.settings.set_timezone(person_of(user), text)
        if isinstance(outcome, ZoneSet):
            await reply(
                message, schedule_texts.zone_set(outcome.now_text, outcome.question_time_text)
            )
        elif isinstance(outcome, ZoneChoices):
            await reply(message, schedule_texts.zone_choices(outcome.candidates, outcome.ambiguous))
        else:
            await reply(message, texts.refusal(outcome))

    async def pause(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        text = _args_text(context).removesuffix("days").removesuffix("d").strip()
        days = ascii_number(text, 2) if text else None
        if text and (days is None or not 1 <= days <= 60):
            await reply(message, schedule_texts.PAUSE_HELP)
            return
        outcome = await self.settings.pause(person_of(user), days)
        if isinstance(outcome, Paused):
            await reply(message, schedule_texts.paused(outcome.until_text))
        else:
            await reply(message, texts.refusal(outcome))

    async def resume(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        outcome = await self.settings.resume(person_of(user))
        if isinstance(outcome, Resumed):
            await reply(message, schedule_texts.resumed(outcome.next_text))
        else:
            await reply(message, texts.refusal(outcome))

    async def reminders(self, update: Update, context: Context) -> None:
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        choice = _args_text(context).lower()
        if choice not in ("on", "off"):
            await reply(message, schedule_texts.REMINDERS_HELP)
            return
        outcome = await self.settings.set_reminders(person_of(user), choice == "on")
        if isinstance(outcome, RemindersSet):
            await reply(message, schedule_texts.reminders_set(outcome.enabled))
        else:
            await reply(message, texts.refusal(outcome))

    async def _schedule_summary(self, user_id: int) -> str:
        current = await self.settings.schedule_of(user_id)
        if current is None:
            return texts.STATUS_UNPAIRED
        return schedule_texts.status_schedule(
            current.time_text,
            current.zone,
            current.paused,
            current.paused_until_text,
            0,
            current.reminders,
            current.zone_known,
        )
