"""The question decks at run time: read `prompts/`, lint, keep the last good decks, sync them.

- `load_folder(folder)` reads every `*.yaml` deck file and lints it: a `LoadResult`.
- `load_valid_decks(folder)` is the start-up check: it raises `PromptFilesInvalid`.
- `PromptCatalog` holds the last good decks in memory; `start()` at start-up and
  `reload_if_changed()` on every scheduler tick (cheap unless a file changed).
- `PromptSync` writes the decks into the database by id, in one transaction.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import Clock
from bot.prompts.decks import LANGUAGE_PATTERN, Deck, Prompt, summary
from bot.prompts.lint import (
    DeckSource,
    LintIssue,
    ListValue,
    MapEntry,
    MapValue,
    ScalarValue,
    Severity,
    Value,
    lint_sources,
)
from bot.prompts.repository import PromptRepository
from bot.prompts.rules import DailyPool

log = logging.getLogger(__name__)

DECK_SUFFIXES = (".yaml", ".yml")
_MAX_NODES = 50_000  # a deck has a few hundred; this only stops alias bombs


# --- reading and linting a folder ------------------------------------------------------------


@dataclass(frozen=True)
class FolderSnapshot:
    """The bytes of every deck file at one moment, and a digest of them all."""

    folder: Path
    files: tuple[tuple[str, bytes], ...]
    digest: str


@dataclass(frozen=True)
class LoadResult:
    decks: tuple[Deck, ...]
    issues: tuple[LintIssue, ...]
    digest: str = ""

    @property
    def errors(self) -> list[LintIssue]:
        return [issue for issue in self.issues if issue.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[LintIssue]:
        return [issue for issue in self.issues if issue.severity is Severity.WARNING]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return summary(self.decks)


class PromptFilesInvalid(Exception):
    """The deck files have errors; the message lists them as `file:line: message`."""

    def __init__(self, issues: Sequence[LintIssue]) -> None:
        self.issues = tuple(issues)
        lines = [format_issue(issue) for issue in self.issues]
        count = sum(1 for issue in self.issues if issue.severity is Severity.ERROR)
        noun = "problem" if count == 1 else "problems"
        super().__init__(
            f"the question files have {count} {noun} (fix them, then run "
            "`hearth prompts lint`):\n" + "\n".join(lines)
        )


def format_issue(issue: LintIssue) -> str:
    """`file:line: message`, with `warning: ` before the message of a warning."""
    return issue.render()


def is_deck_file(name: str) -> bool:
    return name.endswith(DECK_SUFFIXES) and not name.startswith((".", "~"))


def deck_paths(folder: Path) -> list[Path]:
    """The source decks (`*.yaml`) and their translations (`<language>/*.yaml`), sorted."""
    if not folder.is_dir():
        return []
    paths = []
    for path in sorted(folder.iterdir()):
        if path.is_dir() and LANGUAGE_PATTERN.match(path.name):
            paths += [
                inner
                for inner in sorted(path.iterdir())
                if is_deck_file(inner.name) and inner.is_file()
            ]
        elif is_deck_file(path.name) and path.is_file():
            paths.append(path)
    return paths


def read_folder(folder: Path) -> FolderSnapshot:
    """Read every deck file (sorted by name). A missing folder reads as empty.

    A translation's name keeps its language folder: `es/trust.yaml`.
    """
    files = [
        (path.relative_to(folder).as_posix(), path.read_bytes()) for path in deck_paths(folder)
    ]
    digest = hashlib.sha256()
    for name, data in files:
        digest.update(f"{name}\0{len(data)}\0".encode())
        digest.update(data)
    return FolderSnapshot(folder, tuple(files), digest.hexdigest())


def lint_snapshot(snapshot: FolderSnapshot) -> LoadResult:
    if not snapshot.files:
        empty = LintIssue(
            str(snapshot.folder), 0, "no deck files (*.yaml) found: is this the prompts folder?"
        )
        return LoadResult((), (empty,), snapshot.digest)
    sources: list[DeckSource] = []
    translations: list[DeckSource] = []
    read_issues: list[LintIssue] = []
    for name, data in snapshot.files:
        shown = str(snapshot.folder / name)
        source, problem = parse_deck_file(shown, Path(name).stem, data)
        if problem is not None:
            read_issues.append(problem)
        if source is not None:
            (translations if "/" in name else sources).append(source)
    result = lint_sources(sources, translations)
    issues = sorted([*read_issues, *result.issues], key=lambda issue: (issue.file, issue.line))
    if not issues and not any(deck.kind == "daily" for deck in result.decks):
        issues.append(
            LintIssue(str(snapshot.folder), 0, "there is no daily deck: the bot needs one")
        )
    return LoadResult(result.decks, tuple(issues), snapshot.digest)


def load_folder(folder: Path) -> LoadResult:
    """Read and lint every deck file in `folder`. Never raises for bad files."""
    return lint_snapshot(read_folder(folder))


def load_valid_decks(folder: Path) -> LoadResult:
    """Start-up: the decks, or `PromptFilesInvalid` listing the linter's messages."""
    result = load_folder(folder)
    if not result.ok:
        raise PromptFilesInvalid(result.issues)
    return result


def parse_deck_file(
    shown: str, stem: str, data: bytes
) -> tuple[DeckSource | None, LintIssue | None]:
    """YAML to values with line numbers; a syntax error becomes a `file:line` issue."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        return None, LintIssue(shown, line, "the file is not UTF-8 text: save it as UTF-8")
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        root = None if node is None else _Converter(loader).convert(node)
    except yaml.MarkedYAMLError as error:
        return None, _yaml_issue(shown, error)
    except (yaml.YAMLError, _TooComplex) as error:
        return None, LintIssue(shown, 1, f"cannot read this file: {error}")
    finally:
        loader.dispose()
    return DeckSource(shown, stem, root), None


def _yaml_issue(shown: str, error: yaml.MarkedYAMLError) -> LintIssue:
    mark = error.problem_mark or error.context_mark
    line = mark.line + 1 if mark is not None else 1
    problem = " ".join(part for part in (error.context, error.problem) if part)
    hint = ""
    if "mapping values are not allowed" in problem:
        hint = " (a text containing ': ' needs '>-' and the text on the next line)"
    elif "'\\t'" in problem or "\t" in problem:
        hint = " (use spaces to indent, never tabs)"
    elif "expected a single document" in problem:
        hint = " (one deck per file: remove the '---' line)"
    return LintIssue(shown, line, f"YAML syntax error: {problem or 'unreadable'}{hint}")


class _TooComplex(Exception):
    pass


class _Converter:
    """Turns PyYAML's composed nodes into the domain's values, keeping line numbers."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self._loader = loader
        self._count = 0

    def convert(self, node: yaml.Node) -> Value:
        self._count += 1
        if self._count > _MAX_NODES:
            raise _TooComplex("the file is too large or uses too many aliases")
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            entries = []
            for key_node, value_node in node.value:
                key = self._scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                entries.append(
                    MapEntry(
                        "" if key is None else str(key),
                        key_node.start_mark.line + 1,
                        self.convert(value_node),
                    )
                )
            return MapValue(tuple(entries), line)
        if isinstance(node, yaml.SequenceNode):
            return ListValue(tuple(self.convert(item) for item in node.value), line)
        return ScalarValue(self._scalar(node), line)

    def _scalar(self, node: yaml.Node) -> object:
        value: Any = self._loader.construct_object(node)
        if isinstance(value, str | int | float | bool) or value is None:
            return value
        return str(value)  # dates and the like: not what any field wants, shown as text


# --- syncing into the database --------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    added: int = 0
    updated: int = 0
    retired: int = 0
    restored: int = 0

    def __str__(self) -> str:
        return (
            f"{self.added} added, {self.updated} updated, {self.retired} retired, "
            f"{self.restored} restored"
        )


@dataclass(frozen=True)
class SyncReport:
    decks: Changes
    prompts: Changes

    @property
    def changed(self) -> bool:
        return self.decks != Changes() or self.prompts != Changes()


def _deck_row(deck: Deck) -> dict[str, Any]:
    return {
        "id": deck.id,
        "title": deck.title,
        "description": deck.description,
        "kind": deck.kind,
        "language": deck.language,
    }


def _prompt_row(prompt: Prompt) -> dict[str, Any]:
    return {
        "id": prompt.id,
        "deck_id": prompt.deck_id,
        "text": prompt.text,
        "depth": prompt.depth,
        "tags": list(prompt.tags),
        "kind": prompt.kind,
        "language": prompt.language,
    }


def _diff(
    wanted: list[dict[str, Any]], existing: dict[str, dict[str, Any]], retired: set[str]
) -> tuple[list[dict[str, Any]], Changes]:
    """Rows to upsert, and how many are new, changed or back from retirement."""
    upserts, added, updated, restored = [], 0, 0, 0
    for row in wanted:
        current = existing.get(row["id"])
        if current is None:
            added += 1
        elif row["id"] in retired:
            restored += 1
        elif current != row:
            updated += 1
        else:
            continue
        upserts.append(row)
    return upserts, Changes(added=added, updated=updated, restored=restored)


class PromptSync:
    """Makes the database's decks and prompts match the files, by id, in one transaction.

    New ids are added, changed ones updated, ids gone from the files retired (never
    deleted: rounds point at them), and ids that come back are live again.
    """

    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    async def sync(self, decks: Sequence[Deck]) -> SyncReport:
        now = self._clock.now()
        deck_rows = [_deck_row(deck) for deck in decks]
        prompt_rows = [_prompt_row(prompt) for deck in decks for prompt in deck.prompts]
        async with self._uow() as uow:
            stored_decks = await PromptRepository(uow.session).decks()
            stored_prompts = await PromptRepository(uow.session).prompts()
            existing_decks = {row.id: _columns(row, _DECK_COLUMNS) for row in stored_decks}
            existing_prompts = {row.id: _columns(row, _PROMPT_COLUMNS) for row in stored_prompts}
            retired_decks = {row.id for row in stored_decks if row.retired_at is not None}
            retired_prompts = {row.id for row in stored_prompts if row.retired_at is not None}

            deck_upserts, deck_changes = _diff(deck_rows, existing_decks, retired_decks)
            prompt_upserts, prompt_changes = _diff(prompt_rows, existing_prompts, retired_prompts)
            await PromptRepository(uow.session).upsert_decks(deck_upserts, now)
            await PromptRepository(uow.session).upsert_prompts(prompt_upserts, now)
            wanted_prompts = {row["id"] for row in prompt_rows}
            wanted_decks = {row["id"] for row in deck_rows}
            prompts_retired = await PromptRepository(uow.session).retire_prompts(
                [row.id for row in stored_prompts if row.id not in wanted_prompts], now
            )
            decks_retired = await PromptRepository(uow.session).retire_decks(
                [row.id for row in stored_decks if row.id not in wanted_decks], now
            )
            await uow.commit()
        report = SyncReport(
            decks=Changes(
                deck_changes.added, deck_changes.updated, decks_retired, deck_changes.restored
            ),
            prompts=Changes(
                prompt_changes.added,
                prompt_changes.updated,
                prompts_retired,
                prompt_changes.restored,
            ),
        )
        if report.changed:
            log.info("question decks synced: decks %s; prompts %s", report.decks, report.prompts)
        return report


_DECK_COLUMNS = ("id", "title", "description", "kind", "language")
_PROMPT_COLUMNS = ("id", "deck_id", "text", "depth", "tags", "kind", "language")


def _columns(row: object, names: Sequence[str]) -> dict[str, Any]:
    return {name: getattr(row, name) for name in names}


# --- the catalog in memory ------------------------------------------------------------------


class PromptCatalog:
    """The last good decks, looked up in memory; reloads when the files change.

    `start()` loads, validates (raising `PromptFilesInvalid`) and syncs. Afterwards call
    `reload_if_changed()` from the scheduler tick: it only stats the files unless one of
    them changed; a valid change is synced and swapped in, an invalid one is logged at
    WARNING (the linter's `file:line` messages) and the last good decks stay.
    """

    def __init__(
        self, folder: Path, sync: PromptSync | None = None, *, content_check_every: int = 20
    ) -> None:
        self.folder = folder
        self._sync = sync
        # Every so many calls the contents are hashed even if no size or time changed:
        # a same-size save within the file system's timestamp granularity is still seen.
        self._content_check_every = content_check_every
        self._calls = 0
        self._reloading = asyncio.Lock()
        self._decks: tuple[Deck, ...] = ()
        self._decks_by_id: dict[str, Deck] = {}
        self._prompts_by_id: dict[str, Prompt] = {}
        self._opt_in: frozenset[str] = frozenset()
        self._depth_ids: dict[int, frozenset[str]] = {}
        self._pools: dict[tuple[str, frozenset[str], frozenset[str]], DailyPool] = {}
        self._stat_signature: tuple[tuple[str, int, int], ...] | None = None
        self._loaded_digest = ""
        self._rejected_digest = ""

    # loading

    async def start(self) -> LoadResult:
        """Load, validate and sync the decks. Raises `PromptFilesInvalid` on any error."""
        signature = self._stat()
        result = await asyncio.to_thread(load_folder, self.folder)
        if not result.ok:
            raise PromptFilesInvalid(result.issues)
        if result.warnings:
            # Curators' advice, not the operator's problem: one line, not one per finding.
            log.info(
                "the question files have %d lint warning(s): `hearth prompts lint` lists them",
                len(result.warnings),
            )
        if self._sync is not None:
            await self._sync.sync(result.decks)
        self._swap(result.decks)
        self._stat_signature = signature
        self._loaded_digest = result.digest
        log.info("question decks loaded: %s", result.summary())
        return result

    async def reload_if_changed(self) -> bool:
        """Re-read the files if they changed; True when new decks were swapped in."""
        if self._reloading.locked():
            return False  # an overlapping tick: the running one will see the change
        async with self._reloading:
            return await self._reload_if_changed()

    async def _reload_if_changed(self) -> bool:
        signature = self._stat()
        self._calls += 1
        if signature == self._stat_signature and self._calls % self._content_check_every:
            return False
        snapshot = await asyncio.to_thread(read_folder, self.folder)
        if snapshot.digest in (self._loaded_digest, self._rejected_digest):
            self._stat_signature = signature
            return False
        result = await asyncio.to_thread(lint_snapshot, snapshot)
        if not result.ok:
            self._stat_signature = signature
            self._rejected_digest = snapshot.digest
            log.warning(
                "question files changed but have %d problem(s); keeping the last good decks",
                len(result.errors),
            )
            for issue in result.errors:
                log.warning("%s", format_issue(issue))
            return False
        if self._sync is not None:
            try:
                await self._sync.sync(result.decks)
            except Exception:
                # Leave the signature as it was so the next tick tries again.
                log.exception("could not sync the changed question decks; will retry")
                return False
        self._swap(result.decks)
        self._stat_signature = signature
        self._loaded_digest = snapshot.digest
        self._rejected_digest = ""
        log.info("question decks reloaded: %s", result.summary())
        return True

    def replace(self, decks: Sequence[Deck]) -> None:
        """Use these decks (already validated and synced): for tests and tools."""
        self._swap(tuple(decks))

    def _swap(self, decks: tuple[Deck, ...]) -> None:
        self._decks = decks
        self._pools.clear()
        self._decks_by_id = {deck.id: deck for deck in decks}
        self._prompts_by_id = {prompt.id: prompt for deck in decks for prompt in deck.prompts}
        self._opt_in = frozenset(deck.id for deck in decks if not deck.enabled_by_default)
        self._depth_ids = {}

    def _stat(self) -> tuple[tuple[str, int, int], ...]:
        """Names, modification times and sizes of the deck files: cheap enough every tick."""
        entries = []
        try:
            for path in deck_paths(self.folder):
                stat = path.stat()
                entries.append((path.as_posix(), stat.st_mtime_ns, stat.st_size))
        except OSError:
            return ()
        return tuple(sorted(entries))

    # looking things up

    @property
    def decks(self) -> tuple[Deck, ...]:
        return self._decks

    def deck(self, deck_id: str) -> Deck | None:
        return self._decks_by_id.get(deck_id)

    def prompt(self, prompt_id: str) -> Prompt | None:
        return self._prompts_by_id.get(prompt_id)

    def prompts(
        self,
        *,
        deck_id: str | None = None,
        kind: str | None = None,
        language: str | None = None,
    ) -> list[Prompt]:
        return [
            prompt
            for deck in self._decks
            if deck_id is None or deck.id == deck_id
            for prompt in deck.prompts
            if (kind is None or prompt.kind == kind)
            and (language is None or prompt.language == language)
        ]

    def decks_of_kind(self, kind: str, language: str | None = None) -> list[Deck]:
        return [
            deck
            for deck in self._decks
            if deck.kind == kind and (language is None or deck.language == language)
        ]

    def eligible(self, language: str = "en") -> list[Prompt]:
        """Every live daily prompt in a language: what `choose_prompt` picks from."""
        return self.prompts(kind="daily", language=language)

    def choose_daily(
        self,
        pair_id: int,
        history: Sequence[str],
        pair_age_days: int,
        disabled_decks: Collection[str] = frozenset(),
        exclude: Collection[str] = frozenset(),
        language: str = "en",
        *,
        max_depth: int = 3,
        stages: Collection[str] = frozenset(),
    ) -> Prompt | None:
        """The pair's next daily question (see `bot.prompts.decks.choose_prompt`);
        `max_depth` from `bot.prompts.rules.max_depth`, `stages` the pair's own."""
        pool = self.daily_pool(language, frozenset(disabled_decks), frozenset(stages))
        return pool.choose(pair_id, history, pair_age_days, exclude, max_depth)

    def daily_pool(
        self,
        language: str,
        disabled_decks: frozenset[str],
        stages: frozenset[str] = frozenset(),
    ) -> DailyPool:
        """Built once per catalogue, language, set of switched-off decks and stages: the
        fan-out chooses for every due pair, and most share the same few pools."""
        key = (language, disabled_decks, stages)
        pool = self._pools.get(key)
        if pool is None:
            if len(self._pools) >= 256:
                self._pools.clear()  # many different combinations: keep memory bounded
            pool = DailyPool(self.eligible(language), disabled_decks, stages)
            self._pools[key] = pool
        return pool

    def seasonal(self, occasion: str, language: str = "en") -> list[Prompt]:
        """The seasonal prompts of one occasion (`bot.prompts.rules.occasion_on`)."""
        return [
            prompt
            for prompt in self.prompts(kind="seasonal", language=language)
            if prompt.occasion == occasion
        ]

    def daily_ids_at_depth(self, depth: int) -> frozenset[str]:
        """Ids of the daily prompts of one depth (retired ones are not counted)."""
        found = self._depth_ids.get(depth)
        if found is None:
            found = frozenset(p.id for p in self.prompts(kind="daily") if p.depth == depth)
            self._depth_ids[depth] = found
        return found

    def opt_in_decks(self) -> frozenset[str]:
        """Decks that are off for a pair until it switches them on (`enabled_by_default`)."""
        return self._opt_in
