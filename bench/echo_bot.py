"""A minimal python-telegram-bot echo bot, the framework's own ceiling for benchmark 3.

    python -m bench.echo_bot API_ROOT     # prints {"ready": true}; stops at "quit" or EOF

It long polls the sandbox at API_ROOT exactly as Hearth does (same getUpdates timeout,
poll interval and concurrency of 256 updates at once) and answers each text message with
the same text: no database, no handlers beyond one, nothing else.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

from bench.common import TOKEN


async def _echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None and message.text is not None:
        await message.reply_text(message.text)


async def serve(api_root: str, concurrency: int) -> None:
    application: Application[Any, Any, Any, Any, Any, Any] = (
        Application.builder()
        .token(TOKEN)
        .base_url(f"{api_root}/bot")
        .base_file_url(f"{api_root}/file/bot")
        .concurrent_updates(concurrency)
        .get_updates_read_timeout(40)
        .build()
    )
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, _echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(
            poll_interval=0, timeout=30, allowed_updates=["message"]
        )
        print(json.dumps({"ready": True}), flush=True)
        loop = asyncio.get_running_loop()
        while (await loop.run_in_executor(None, sys.stdin.readline)).strip() not in ("", "quit"):
            pass
        await application.updater.stop()
        await application.stop()


if __name__ == "__main__":
    asyncio.run(serve(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 256))
