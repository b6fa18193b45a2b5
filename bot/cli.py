"""The `hearth` command."""

from __future__ import annotations

import argparse
import asyncio
import html
import importlib
import os
import re
import shutil
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from bot.config import (
    CuratorSettings,
    Settings,
    SettingsError,
    check_database_path,
    load_curator_settings,
    load_settings,
)
from bot.delivery.repository import InboxRepository
from bot.kernel.words import plural
from bot.prompts.decks import KINDS
from bot.prompts.repository import PromptRepository
from bot.prompts.stats import STAT_SORTS

T = TypeVar("T")

if TYPE_CHECKING:
    from bot.admin.service import StatsReport
    from bot.db.uow import UnitOfWork
    from bot.prompts.library import LoadResult
    from bot.prompts.stats import PromptStat

EXIT_BAD_SETTINGS = 2
EXIT_BAD_PROMPTS = 3
EXIT_CANNOT_START = 4

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
        help="apply pending migrations, then run the bot (long polling, or webhook)",
        description=(
            "Apply pending database migrations, then run the bot until SIGINT/SIGTERM. "
            "Long polling by default; with WEBHOOK_URL set, Telegram posts updates to the "
            "built-in HTTP server. /healthz, /readyz and /metrics are served on HTTP_PORT."
        ),
    )
    commands.add_parser(
        "migrate",
        help="apply pending database migrations and exit",
        description="Bring the database named by DATABASE_URL up to the newest schema.",
    )
    commands.add_parser(
        "healthcheck",
        help="ask the running bot's /healthz (the container's HEALTHCHECK); exit 0 if healthy",
        description=(
            "Ask /healthz of the bot running on this machine, at the address and port the "
            "settings name (WEBHOOK_LISTEN, HTTP_PORT; environment or .env). Exits 0 when it "
            "answers, 1 with one line otherwise."
        ),
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
    _add_prompt_commands(commands)
    _add_operator_commands(commands)
    return parser


def _add_operator_commands(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
) -> None:
    commands.add_parser(
        "stats",
        help="pairs, questions, answer rate, check-ins and blocks over 1, 7 and 30 days",
        description=(
            "How Hearth is used, from the database (DATABASE_URL; no bot token needed): "
            "active and paused pairs, questions sent, the share both partners answered, "
            "check-ins and people who blocked the bot, over the last 1, 7 and 30 days."
        ),
    )
    commands.add_parser(
        "reencrypt",
        help="re-encrypt stored answers and notes with ENCRYPTION_KEY (after a rotation)",
        description=(
            "Write every answer text, check-in note and queued message back with the current "
            "ENCRYPTION_KEY, reading with it and ENCRYPTION_OLD_KEYS. Plain-text values get "
            "encrypted. Afterwards the old keys can be dropped. Without ENCRYPTION_KEY, the "
            "values are decrypted back to plain text (turning encryption off)."
        ),
    )
    inbox = commands.add_parser(
        "inbox",
        help="webhook updates given up on in the last day: id, type and reason",
        description="Look at the webhook inbox (DATABASE_URL; no bot token needed).",
    )
    inbox_actions = inbox.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)
    inbox_actions.add_parser(
        "failed",
        help="list updates given up on in the last day: id, type and reason",
        description=(
            "Updates that could not be read or handled, given up on in the last day (they "
            "are pruned after that): update id, type and reason. Never their content."
        ),
    )
    commands.add_parser(
        "newkey",
        help="print a new random key for ENCRYPTION_KEY",
        description="Print a new Fernet key for ENCRYPTION_KEY. Keep it secret and backed up.",
    )


def _add_prompt_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    prompts = commands.add_parser(
        "prompts",
        help="check, list, preview and measure the question decks in prompts/",
        description=(
            "Tools for the question decks. They read PROMPTS_DIR (default: prompts) and, for "
            "stats, DATABASE_URL; none needs the bot token. See prompts/README.md."
        ),
    )
    actions = prompts.add_subparsers(dest="prompts_command", metavar="ACTION", required=True)
    lint = actions.add_parser(
        "lint",
        help="check every deck file; prints file:line: message for each problem",
        description=(
            "Check every deck file. Prints `file:line: message` for each problem and exits 1 "
            "if there are errors (warnings alone exit 0). Prints a one-line summary when clean."
        ),
    )
    lint.add_argument("dir", nargs="?", type=Path, help="the decks folder (default: PROMPTS_DIR)")
    listing = actions.add_parser(
        "list",
        help="list the questions: id, depth and text",
        description="List the questions, optionally of one deck or one kind.",
    )
    listing.add_argument("--deck", metavar="D", help="only this deck (its id, e.g. trust)")
    listing.add_argument("--kind", choices=KINDS, help="only decks of this kind")
    preview = actions.add_parser(
        "preview",
        help="show one question exactly as a partner will read it",
        description="Show the message a partner receives for this question.",
    )
    preview.add_argument("id", metavar="ID", help="the question id, e.g. trust-07")
    stats = actions.add_parser(
        "stats",
        help="per question: times sent, answer rate, median answer length, times skipped",
        description=(
            "How each question is doing, from the database (DATABASE_URL): times sent, the "
            "share of rounds both partners answered, the median answer length in characters, "
            "and times skipped. Highest first."
        ),
    )
    stats.add_argument(
        "--sort", choices=STAT_SORTS, default="sent", help="the column to sort by (default: sent)"
    )
    stats.add_argument("--deck", metavar="D", help="only this deck")
    stats.add_argument("--ascending", action="store_true", help="lowest first")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "run": _run,
        "migrate": _migrate,
        "healthcheck": _healthcheck,
        "demo": _demo,
        "prompts": _prompts,
        "stats": _stats,
        "reencrypt": _reencrypt,
        "newkey": _newkey,
        "inbox": _inbox_failed,
    }
    return handlers[args.command](args)


def _settings(*, database: bool = True) -> Settings:
    """The settings, or one line and exit code 2; `database`: also check a SQLite path."""
    try:
        settings = load_settings()
        if database:
            check_database_path(settings.database_url)
        return settings
    except SettingsError as error:
        print(f"hearth: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_SETTINGS) from None


def _secrets(settings: Settings) -> list[str]:
    """What must never reach a log line."""
    return [
        settings.telegram_bot_token.get_secret_value(),
        settings.webhook_secret.get_secret_value(),
    ]


def _migrate(_args: argparse.Namespace) -> int:
    from bot.config import load_migrate_settings
    from bot.db.migrate import upgrade_to_head
    from bot.logs import configure_logging

    try:
        settings = load_migrate_settings()
        check_database_path(settings.database_url)
    except SettingsError as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    configure_logging(settings.log_level, [], settings.log_format)
    upgrade_to_head(settings.database_url)
    print("hearth: database is up to date")
    return 0


def _healthcheck(_args: argparse.Namespace) -> int:
    from bot.healthcheck import check

    settings = _settings(database=False)
    problem = check(settings.webhook_listen, settings.http_port)
    if problem is not None:
        print(f"hearth: unhealthy: {problem}", file=sys.stderr)
        return 1
    return 0


def _run(_args: argparse.Namespace) -> int:
    settings = _settings()
    from bot.app import Hearth, StartupError
    from bot.db.migrate import upgrade_to_head
    from bot.logs import configure_logging
    from bot.prompts.library import PromptFilesInvalid

    configure_logging(settings.log_level, _secrets(settings), settings.log_format)
    upgrade_to_head(settings.database_url)
    try:
        asyncio.run(Hearth(settings).run_until_stopped())
    except PromptFilesInvalid as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_BAD_PROMPTS
    except StartupError as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_CANNOT_START
    return 0


DEMO_NEEDS_CHECKOUT = (
    "hearth: the demo runs on the development checkout's Telegram sandbox, which an "
    "installed Hearth does not ship; clone the repository and run `uv run hearth demo` there"
)


def _demo(args: argparse.Namespace) -> int:
    # The sandbox is a development tool outside the `bot` package (and outside the wheel
    # and the image), so the demo is found at run time, not imported by the product.
    try:
        demo = importlib.import_module("sandbox.demo")
    except ModuleNotFoundError as missing:
        if missing.name not in {"sandbox", "sandbox.demo"}:
            raise
        print(DEMO_NEEDS_CHECKOUT, file=sys.stderr)
        return EXIT_CANNOT_START
    result: int = asyncio.run(demo.run_demo(interactive=args.interactive))
    return result


# --- hearth stats, reencrypt, newkey ------------------------------------------------------


def _stats(_args: argparse.Namespace) -> int:
    from bot.admin.service import stats_lines

    settings = _curator_settings()
    try:
        report = asyncio.run(_privacy_call(settings.database_url, None, None))
    except _DatabaseNotReady as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    assert not isinstance(report, int)
    print("\n".join(stats_lines(report)))
    return 0


def _reencrypt(_args: argparse.Namespace) -> int:
    from bot.config import load_key_settings

    try:
        settings = load_key_settings()
    except SettingsError as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_BAD_SETTINGS
    current, old = settings.cipher_keys
    try:
        count = asyncio.run(_privacy_call(settings.database_url, current, old))
    except _DatabaseNotReady as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    how = "encrypted with the current key" if current else "stored as plain text"
    assert isinstance(count, int)  # _privacy_call returns the rewrite's count here
    rewritten = plural(count, "stored value", "stored values")
    print(f"hearth: {rewritten} rewritten, now {how}")
    return 0


def _newkey(_args: argparse.Namespace) -> int:
    from bot.db.crypto import new_key

    print(new_key())
    return 0


async def _privacy_call(
    database_url: str, current: str | None, old: list[str] | None
) -> StatsReport | int:
    """`hearth stats` (old is None) or `hearth reencrypt`, on a short-lived engine."""
    from sqlalchemy.exc import DBAPIError

    from bot.admin.service import StatsService
    from bot.db.crypto import Cipher, KeyMissing, install_cipher
    from bot.db.engine import create_engine
    from bot.db.uow import UnitOfWorkFactory
    from bot.kernel.clock import SystemClock
    from bot.privacy.service import PrivacyService

    engine = create_engine(database_url, pool_size=1)
    install_cipher(engine, Cipher(current, old or []))
    uow, clock = UnitOfWorkFactory(engine), SystemClock()
    try:
        if old is None:
            return await StatsService(uow, clock).stats()
        return await PrivacyService(uow, clock).reencrypt()
    except DBAPIError as error:
        raise _DatabaseNotReady(
            "cannot read the database (has `hearth migrate` been run on DATABASE_URL?): "
            f"{type(error.orig).__name__}"
        ) from None
    except KeyMissing as error:
        raise _DatabaseNotReady(str(error)) from None
    finally:
        await engine.dispose()


# --- hearth prompts ... -------------------------------------------------------------------

EXIT_PROBLEMS = 1


def _prompts(args: argparse.Namespace) -> int:
    handlers: dict[str, Callable[[argparse.Namespace], int]] = {
        "lint": _prompts_lint,
        "list": _prompts_list,
        "preview": _prompts_preview,
        "stats": _prompts_stats,
    }
    try:
        return handlers[args.prompts_command](args)
    except BrokenPipeError:
        # `hearth prompts list | head`: the reader stopped early, which is fine.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


def _curator_settings() -> CuratorSettings:
    try:
        return load_curator_settings()
    except SettingsError as error:
        print(f"hearth: {error}", file=sys.stderr)
        raise SystemExit(EXIT_BAD_SETTINGS) from None


def _prompts_lint(args: argparse.Namespace) -> int:
    from bot.prompts.library import format_issue, load_folder

    folder: Path = args.dir if args.dir is not None else _curator_settings().prompts_dir
    result = load_folder(folder)
    for issue in result.issues:
        print(format_issue(issue))
    if result.errors:
        errors, warnings = len(result.errors), len(result.warnings)
        print(f"{plural(errors, 'error', 'errors')}, {plural(warnings, 'warning', 'warnings')}")
        return EXIT_PROBLEMS
    print(result.summary())
    return 0


def _load_decks_or_explain() -> LoadResult | None:
    from bot.prompts.library import format_issue, load_folder

    result = load_folder(_curator_settings().prompts_dir)
    if result.errors:
        for issue in result.errors:
            print(format_issue(issue), file=sys.stderr)
        print("hearth: fix these first (`hearth prompts lint` lists them)", file=sys.stderr)
        return None
    return result


def _prompts_list(args: argparse.Namespace) -> int:
    result = _load_decks_or_explain()
    if result is None:
        return EXIT_PROBLEMS
    decks = [
        deck
        for deck in result.decks
        if (args.deck is None or deck.id == args.deck)
        and (args.kind is None or deck.kind == args.kind)
    ]
    if args.deck is not None and args.deck not in {deck.id for deck in result.decks}:
        known = ", ".join(deck.id for deck in result.decks)
        print(f"hearth: no deck '{args.deck}' (decks: {known})", file=sys.stderr)
        return EXIT_PROBLEMS
    prompts = [prompt for deck in decks for prompt in deck.prompts]
    id_width = max([len("ID"), *(len(prompt.id) for prompt in prompts)])
    text_width = max(30, _terminal_width() - id_width - len("  DEPTH  "))
    print(f"{'ID':<{id_width}}  DEPTH  TEXT")
    for prompt in prompts:
        print(f"{prompt.id:<{id_width}}  {prompt.depth:<5}  {_truncate(prompt.text, text_width)}")
    print(
        f"{plural(len(prompts), 'question', 'questions')} in {plural(len(decks), 'deck', 'decks')}"
    )
    return 0


def _prompts_preview(args: argparse.Namespace) -> int:
    from bot.rounds.question_texts import daily_question

    result = _load_decks_or_explain()
    if result is None:
        return EXIT_PROBLEMS
    for deck in result.decks:
        for prompt in deck.prompts:
            if prompt.id == args.id:
                where = f"{prompt.id} · deck {deck.id} ({deck.kind}) · depth {prompt.depth}"
                print(f"{where}\n{'-' * min(len(where), 60)}")
                if deck.kind == "daily":
                    print(html_to_terminal(daily_question(deck.title, prompt.text)))
                else:
                    moment = _OFFERED_DURING.get(deck.kind, deck.kind)
                    print(f"{deck.title}\n\n{prompt.text}")
                    print(f"\n(Offered during {moment}; this shows the question's text.)")
                return 0
    print(f"hearth: no question with id '{args.id}'", file=sys.stderr)
    return EXIT_PROBLEMS


_OFFERED_DURING = {"checkin": "a check-in", "reconnect": "a reconnect conversation"}


def _prompts_stats(args: argparse.Namespace) -> int:
    from bot.prompts.stats import sort_stats

    settings = _curator_settings()
    try:
        stats = asyncio.run(_read_stats(settings.database_url, args.deck))
    except _DatabaseNotReady as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    if not stats:
        print(
            "No questions in the database yet: the bot records them when it starts."
            if args.deck is None
            else f"No questions of deck '{args.deck}' in the database."
        )
        return 0
    id_width = max(len("ID"), *(len(stat.prompt_id) for stat in stats))
    print(f"{'ID':<{id_width}}  {'SENT':>5}  {'ANSWERED':>8}  {'MEDIAN':>6}  {'SKIPPED':>7}")
    for stat in sort_stats(stats, args.sort, ascending=args.ascending):
        rate = "-" if stat.answer_rate is None else f"{stat.answer_rate:.0%}"
        median = "-" if stat.median_answer_length is None else f"{stat.median_answer_length:.0f}"
        retired = "  (retired)" if stat.retired else ""
        print(
            f"{stat.prompt_id:<{id_width}}  {stat.sent:>5}  {rate:>8}  {median:>6}  "
            f"{stat.skipped:>7}{retired}"
        )
    print(
        "ANSWERED: share of sends both partners answered. "
        "MEDIAN: median answer length in characters."
    )
    _print_group_rates(stats)
    return 0


def _print_group_rates(stats: list[PromptStat]) -> None:
    """Both-answered rate by deck, depth and language, then the prompts skipped often."""
    from bot.prompts.stats import (
        OFTEN_SKIPPED_MIN,
        OFTEN_SKIPPED_SHARE,
        STAT_GROUPS,
        rates_by,
        skipped_often,
    )

    for group in STAT_GROUPS:
        rates = rates_by(stats, group)
        width = max(len(group), *(len(rate.group) for rate in rates))
        print(f"\nBY {group.upper()}")
        print(f"{group.upper():<{width}}  {'SENT':>5}  {'ANSWERED':>8}")
        for rate in rates:
            shown = "-" if rate.answer_rate is None else f"{rate.answer_rate:.0%}"
            print(f"{rate.group:<{width}}  {rate.sent:>5}  {shown:>8}")
    often = skipped_often(stats)
    print(
        f"\nSKIPPED OFTEN (at least {OFTEN_SKIPPED_MIN} skips and "
        f"{OFTEN_SKIPPED_SHARE:.0%} of sends): " + ("none" if not often else "")
    )
    for stat in often:
        print(f"{stat.prompt_id}  skipped {stat.skipped} of {stat.sent}  {stat.text}")


class _DatabaseNotReady(Exception):
    pass


async def _read_stats(database_url: str, deck_id: str | None) -> list[PromptStat]:
    return await _read(
        database_url,
        "the question statistics",
        lambda uow: PromptRepository(uow.session).stats(deck_id),
    )


async def _read(database_url: str, what: str, reader: Callable[[UnitOfWork], Awaitable[T]]) -> T:
    from sqlalchemy.exc import DBAPIError

    from bot.db.engine import create_engine
    from bot.db.uow import UnitOfWorkFactory

    engine = create_engine(database_url, pool_size=1)
    try:
        async with UnitOfWorkFactory(engine)(read_only=True) as uow:
            return await reader(uow)
    except DBAPIError as error:
        raise _DatabaseNotReady(
            f"cannot read {what} (has `hearth migrate` been run on "
            f"DATABASE_URL?): {type(error.orig).__name__}"
        ) from None
    finally:
        await engine.dispose()


# --- hearth inbox failed ------------------------------------------------------------------


def _inbox_failed(_args: argparse.Namespace) -> int:
    from datetime import UTC, datetime, timedelta

    settings = _curator_settings()
    since = datetime.now(UTC) - timedelta(days=1)
    try:
        rows = asyncio.run(
            _read(
                settings.database_url,
                "the inbox",
                lambda uow: InboxRepository(uow.session).failed_since(since),
            )
        )
    except _DatabaseNotReady as error:
        print(f"hearth: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    if not rows:
        print("No update was given up on in the last day.")
        return 0
    print(f"{'UPDATE':>12}  {'TYPE':<20}  REASON")
    for update_id, kind, reason in rows:
        print(f"{update_id:>12}  {kind:<20}  {reason}")
    print(f"{plural(len(rows), 'update', 'updates')} given up on in the last day.")
    return 0


_TAG = re.compile(r"<[^>]+>")


def html_to_terminal(text: str) -> str:
    """A Telegram HTML message as plain text: tags dropped, entities turned back."""
    return html.unescape(_TAG.sub("", text))


def _truncate(text: str, width: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1].rstrip() + "…"


def _terminal_width() -> int:
    return shutil.get_terminal_size((120, 24)).columns


if __name__ == "__main__":
    raise SystemExit(main())
