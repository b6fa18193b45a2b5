"""Thin handlers for operators: /stats, for the Telegram accounts in ADMIN_USER_IDS."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from bot.admin import texts
from bot.admin.service import StatsService
from bot.telegram import texts as common_texts
from bot.telegram.chat import Context, reply


@dataclass
class AdminHandlers:
    stats_service: StatsService
    admin_ids: frozenset[int]

    async def stats(self, update: Update, context: Context) -> None:
        """Operators only; anyone else gets the reply any unknown command gets."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        if user.id not in self.admin_ids:
            await reply(message, common_texts.UNKNOWN_COMMAND)
            return
        await reply(message, texts.stats(await self.stats_service.stats()))
