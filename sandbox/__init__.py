"""A local Telegram Bot API for tests, `hearth demo` and benchmarks.

    async with BotApiSandbox() as sandbox:
        bot = telegram.Bot(sandbox.token, base_url=sandbox.base_url,
                           base_file_url=sandbox.base_file_url)
        alice = sandbox.user(1001, "Alice")
        await alice.send_command("/start")
        reply = await alice.expect(contains="Welcome")

The bot talks to it over real HTTP exactly as to Telegram; nothing here imports `telegram`.
"""

from sandbox.errors import ApiError
from sandbox.faults import Faults, SandboxStats
from sandbox.html_check import HtmlParseError, ParsedText, parse_html
from sandbox.params import UploadedFile
from sandbox.people import SimulatedChannel, SimulatedChat, SimulatedGroup, SimulatedUser
from sandbox.records import BotMessage, Button, CallbackAnswer, MessageEdit, TranscriptEntry
from sandbox.sandbox import DEFAULT_TOKEN, BotApiSandbox
from sandbox.server import LoopbackServer
from sandbox.webhook import SECRET_HEADER

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
