"""A local Telegram Bot API for tests, `hearth demo` and benchmarks.

    async with BotApiSandbox() as sandbox:
        bot = telegram.Bot(sandbox.token, base_url=sandbox.base_url,
                           base_file_url=sandbox.base_file_url)
        alice = sandbox.user(1001, "Alice")
        await alice.send_command("/start")
        reply = await alice.expect(contains="Welcome")

The bot talks to it over real HTTP exactly as to Telegram; nothing here imports `telegram`.
"""

from bot.sandbox.errors import ApiError
from bot.sandbox.faults import Faults, SandboxStats
from bot.sandbox.html_check import HtmlParseError, ParsedText, parse_html
from bot.sandbox.params import UploadedFile
from bot.sandbox.people import SimulatedChannel, SimulatedChat, SimulatedGroup, SimulatedUser
from bot.sandbox.records import BotMessage, Button, CallbackAnswer, MessageEdit, TranscriptEntry
from bot.sandbox.sandbox import DEFAULT_TOKEN, BotApiSandbox
from bot.sandbox.server import LoopbackServer
from bot.sandbox.webhook import SECRET_HEADER

__all__ = [
    "DEFAULT_TOKEN",
    "SECRET_HEADER",
    "ApiError",
    "BotApiSandbox",
    "BotMessage",
    "Button",
    "CallbackAnswer",
    "Faults",
    "HtmlParseError",
    "LoopbackServer",
    "MessageEdit",
    "ParsedText",
    "SandboxStats",
    "SimulatedChannel",
    "SimulatedChat",
    "SimulatedGroup",
    "SimulatedUser",
    "TranscriptEntry",
    "UploadedFile",
    "parse_html",
]
