"""The `hearth` command."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from bot.config import Settings, SettingsError, load_settings

EXIT_BAD_SETTINGS = 2

DESCRIPTION = """\
Hearth: a Telegram bot for couples. Each day both partners get the same question,
answer privately, and see each other's answer once both have replied.

Settings come from the environment or a .env file (see .env.example)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hearth", description=DESCRIPTION, formatter_class=argparse.RawTextHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands.add_parser(
        "run",
        help="apply pending migrations, then run the bot (long polling)",
        description="Apply pending database migrations, then run the bot until SIGINT/SIGTERM.",
    )
    commands.add_parser(
        "migrate",
        help="apply pending database migrations and exit",
        description="Bring the database named by DATABASE_URL up to the newest schema.",
    )
    demo = commands.add_parser(
        "demo",
        help="watch a scripted couple use Hearth in a local sandbox (no token, no network)",
        description=(
            "Start the local Telegram sandbox and the real bot on a throw-away SQLite file, "
            "play a scripted couple, and print the conversation. Exits non-zero if any "
            "step of the script did not happen."
        ),
    )
    demo.add_argument(
        "--interactive",
        action="store_true",
        help="type as either partner yourself instead of watching the script",
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "run": _run,
        "migrate": _migrate,
        "demo": _demo,
    }
    return handlers[args.command](args)


def _settings() -> Settings:
    try:
        return load_settings()
    except SettingsError as error:
        print(f"hearth: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_SETTINGS) from None


def _migrate(_args: argparse.Namespace) -> int:
    settings = _settings()
    from bot.db.migrate import upgrade_to_head
    from bot.logs import configure_logging

    configure_logging(settings.log_level, [settings.telegram_bot_token.get_secret_value()])
    upgrade_to_head(settings.database_url)
    print("hearth: database is up to date")
    return 0


def _run(_args: argparse.Namespace) -> int:
    settings = _settings()
    from bot.app import Hearth
    from bot.db.migrate import upgrade_to_head
    from bot.logs import configure_logging

    configure_logging(settings.log_level, [settings.telegram_bot_token.get_secret_value()])
    upgrade_to_head(settings.database_url)
    asyncio.run(Hearth(settings).run_until_stopped())
    return 0


def _demo(args: argparse.Namespace) -> int:
    from bot.demo import run_demo

    return asyncio.run(run_demo(interactive=args.interactive))


if __name__ == "__main__":
    raise SystemExit(main())
