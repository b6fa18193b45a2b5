"""Question decks: their shape, the curator's lint rules, and how a pair's next question is chosen.

Standard library only. Reading YAML happens in `bot.prompts.library`; it hands this
module plain values that remember their line numbers (`ScalarValue`, `ListValue`,
`MapValue`), so every rule can say `file:line: what is wrong`.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.prompts.meaning import MeaningItem, menu_options, near_duplicates

KINDS = ("daily", "checkin", "reconnect", "seasonal")
DEPTHS = (1, 2, 3)
DECK_FIELDS = ("id", "title", "description", "kind", "language", "enabled_by_default", "prompts")
OPTIONAL_DECK_FIELDS = frozenset({"enabled_by_default"})
PROMPT_FIELDS = ("id", "depth", "text", "tags", "for", "occasion")
OPTIONAL_PROMPT_FIELDS = frozenset({"tags", "for", "occasion"})
# Relationship stages a prompt can assume (`for:`) and a pair can choose in /topics.
STAGES = ("new", "long-distance", "living-together", "parents")
# Days a seasonal prompt (`occasion:`) is offered on, instead of the usual choice.
OCCASIONS = ("anniversary", "year-end", "new-year")
# A translation file (prompts/<language>/<deck>.yaml) has these; the rest is the source's.
TRANSLATION_DECK_FIELDS = ("id", "language", "title", "description", "prompts")
TRANSLATION_PROMPT_FIELDS = ("id", "text")
SOURCE_LANGUAGE = "en"
MAX_TEXT_LENGTH = 1000
MAX_TITLE_LENGTH = 100
MAX_ID_LENGTH = 64
NEAR_DUPLICATE_RATIO = 0.9
ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?$")


# --- the decks, once read -----------------------------------------------------------------


@dataclass(frozen=True)
class Prompt:
    """One question. `id` is permanent: answers and statistics are stored under it."""

    id: str
    deck_id: str
    text: str
    depth: int
    tags: tuple[str, ...]
    kind: str
    language: str
    line: int = field(default=0, compare=False)
    stages: tuple[str, ...] = ()  # `for:`: offered only to pairs in one of these; () = all
    occasion: str | None = None  # seasonal prompts only
    # Other languages' texts, (language, text) sorted; `texts` adds the source's own.
    translations: tuple[tuple[str, str], ...] = ()

    @property
    def texts(self) -> dict[str, str]:
        return {self.language: self.text, **dict(self.translations)}


@dataclass(frozen=True)
class Deck:
    id: str
    title: str
    description: str
    kind: str
    language: str
    prompts: tuple[Prompt, ...]
    source_file: str = field(default="", compare=False)
    enabled_by_default: bool = True  # false: an opt-in deck, off until a pair switches it on
    translations: tuple[tuple[str, str, str], ...] = ()  # (language, title, description)


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class LintIssue:
    """A problem at `file:line`. Line 0 means the file (or folder) as a whole."""

    file: str
    line: int
    message: str
    severity: Severity = Severity.ERROR

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line > 0 else self.file
        prefix = "warning: " if self.severity is Severity.WARNING else ""
        return f"{where}: {prefix}{self.message}"


# --- what the reader hands over: values with line numbers (1-based) --------------------------


@dataclass(frozen=True)
class ScalarValue:
    """A single value (text, number, true/false or empty)."""

    value: object
    line: int


@dataclass(frozen=True)
class ListValue:
    items: tuple[Value, ...]
    line: int


@dataclass(frozen=True)
class MapEntry:
    key: str
    key_line: int
    value: Value


@dataclass(frozen=True)
class MapValue:
    entries: tuple[MapEntry, ...]
    line: int


Value = ScalarValue | ListValue | MapValue


@dataclass(frozen=True)
class DeckSource:
    """One deck file as read: `file` is how messages name it, `stem` its name without `.yaml`."""

    file: str
    stem: str
    root: Value | None


# --- lint -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LintResult:
    decks: tuple[Deck, ...]
    issues: tuple[LintIssue, ...]

    @property
    def errors(self) -> list[LintIssue]:
        return [issue for issue in self.issues if issue.severity is Severity.ERROR]

    @property
    def warnings(self) -> list[LintIssue]:
        return [issue for issue in self.issues if issue.severity is Severity.WARNING]


def lint_sources(
    sources: Sequence[DeckSource], translations: Sequence[DeckSource] = ()
) -> LintResult:
    """Check every deck file and build the decks. Decks are only trustworthy without errors.

    `translations` are the `<language>/<deck>.yaml` files: their texts are checked like the
    source's and land in each prompt's `translations`.
    """
    linter = _Linter()
    decks = [deck for source in sources if (deck := linter.deck(source)) is not None]
    linter.cross_file_checks()
    decks = _Translations(linter, decks).apply(translations)
    issues = sorted(linter.issues, key=lambda issue: (issue.file, issue.line))
    return LintResult(tuple(decks), tuple(issues))


@dataclass(frozen=True)
class _Seen:
    """Where an id or a text was first met, for cross-file messages."""

    name: str
    file: str
    line: int


@dataclass
class _Linter:
    issues: list[LintIssue] = field(default_factory=list)
    deck_ids: dict[str, _Seen] = field(default_factory=dict)
    prompt_ids: dict[str, _Seen] = field(default_factory=dict)
    wordings: list[tuple[str, _Seen]] = field(default_factory=list)
    # (text, kind, where) of every valid question, for the meaning check.
    texts: list[tuple[str, str, _Seen]] = field(default_factory=list)

    def error(self, file: str, line: int, message: str) -> None:
        self.issues.append(LintIssue(file, line, message))

    def warn(self, file: str, line: int, message: str) -> None:
        self.issues.append(LintIssue(file, line, message, Severity.WARNING))

    # one file

    def deck(self, source: DeckSource) -> Deck | None:
        file, root = source.file, source.root
        if root is None:
            self.error(file, 1, "the file is empty: a deck needs id, title, description, ...")
            return None
        if not isinstance(root, MapValue):
            self.error(
                file, root.line, "the file should start with the deck fields: id, title, ..."
            )
            return None
        errors_before = len(self.issues)
        fields = self._fields(file, root, DECK_FIELDS, OPTIONAL_DECK_FIELDS, "deck")
        deck_id = self._deck_id(file, fields.get("id"), source.stem)
        title = self._words(file, fields.get("title"), "title", MAX_TITLE_LENGTH)
        description = self._words(file, fields.get("description"), "description", None)
        kind = self._choice(file, fields.get("kind"))
        language = self._language(file, fields.get("language"))
        enabled = self._flag(file, fields.get("enabled_by_default"), "enabled_by_default")
        header_ok = len(self.issues) == errors_before
        prompts = self._prompts(
            file, fields.get("prompts"), deck_id or source.stem, kind or "", language or ""
        )
        if (
            not header_ok
            or deck_id is None
            or title is None
            or description is None
            or kind is None
            or language is None
        ):
            return None
        return Deck(deck_id, title, description, kind, language, tuple(prompts), file, enabled)

    def _flag(self, file: str, entry: MapEntry | None, name: str) -> bool:
        if entry is None:
            return True
        value = _scalar(entry.value)
        if not isinstance(value, bool):
            self.error(file, entry.key_line, f"{name} must be true or false, not {_shown(value)}")
            return True
        return value

    def _fields(
        self,
        file: str,
        mapping: MapValue,
        allowed: Sequence[str],
        optional: Collection[str],
        what: str,
    ) -> dict[str, MapEntry]:
        """The known fields of a mapping, reporting unknown, repeated and missing ones."""
        found: dict[str, MapEntry] = {}
        for entry in mapping.entries:
            if entry.key not in allowed:
                known = ", ".join(allowed)
                self.error(
                    file, entry.key_line, f"unknown {what} field '{entry.key}' (use: {known})"
                )
            elif entry.key in found:
                first_line = found[entry.key].key_line
                self.error(
                    file,
                    entry.key_line,
                    f"field '{entry.key}' appears twice (first on line {first_line})",
                )
            else:
                found[entry.key] = entry
        for name in allowed:
            if name not in found and name not in optional:
                self.error(file, mapping.line, f"missing {what} field '{name}'")
        return found

    def _deck_id(self, file: str, entry: MapEntry | None, stem: str) -> str | None:
        deck_id = self._identifier(file, entry, "deck id")
        if deck_id is None or entry is None:
            return None
        if deck_id != stem:
            self.error(
                file,
                entry.key_line,
                f"deck id '{deck_id}' does not match the file name '{stem}': "
                "rename one so they are the same",
            )
            return None
        if deck_id in self.deck_ids:
            first = self.deck_ids[deck_id]
            self.error(
                file,
                entry.key_line,
                f"deck id '{deck_id}' is already used in {first.file}:{first.line}",
            )
            return None
        self.deck_ids[deck_id] = _Seen(deck_id, file, entry.key_line)
        return deck_id

    def _identifier(self, file: str, entry: MapEntry | None, what: str) -> str | None:
        if entry is None:
            return None
        value = _scalar(entry.value)
        if not isinstance(value, str) or not value:
            self.error(file, entry.key_line, f"{what} must be lowercase words joined by hyphens")
            return None
        if len(value) > MAX_ID_LENGTH or not ID_PATTERN.match(value):
            self.error(
                file,
                entry.key_line,
                f"{what} '{value}' must be lowercase letters and digits joined by hyphens "
                f"(at most {MAX_ID_LENGTH} characters), e.g. 'trust-07'",
            )
            return None
        return value

    def _words(self, file: str, entry: MapEntry | None, name: str, limit: int | None) -> str | None:
        if entry is None:
            return None
        value = _scalar(entry.value)
        if value is None or (isinstance(value, str) and not value.strip()):
            self.error(file, entry.key_line, f"{name} is empty")
            return None
        if not isinstance(value, str):
            self.error(
                file,
                entry.key_line,
                f"{name} must be words, not a number or true/false: write it after '>-' "
                "on the next line (see prompts/README.md)",
            )
            return None
        text = value.strip()
        if limit is not None and len(text) > limit:
            self.error(
                file,
                entry.key_line,
                f"{name} is {len(text)} characters long; the limit is {limit}",
            )
            return None
        return text

    def _choice(self, file: str, entry: MapEntry | None) -> str | None:
        if entry is None:
            return None
        value = _scalar(entry.value)
        if value not in KINDS:
            self.error(
                file,
                entry.key_line,
                f"kind must be daily, checkin, reconnect or seasonal, not {_shown(value)}",
            )
            return None
        assert isinstance(value, str)
        return value

    def _language(self, file: str, entry: MapEntry | None) -> str | None:
        if entry is None:
            return None
        value = _scalar(entry.value)
        if not isinstance(value, str) or not LANGUAGE_PATTERN.match(value):
            self.error(
                file,
                entry.key_line,
                f"language must be a short language code such as en, not {_shown(value)}",
            )
            return None
        return value

    def _prompts(
        self, file: str, entry: MapEntry | None, deck_id: str, kind: str, language: str
    ) -> list[Prompt]:
        if entry is None:
            return []
        if not isinstance(entry.value, ListValue):
            self.error(
                file, entry.key_line, "prompts must be a list of questions, each '- id: ...'"
            )
            return []
        if not entry.value.items:
            self.error(
                file,
                entry.key_line,
                "the deck has no questions (to retire a whole deck, delete its file)",
            )
            return []
        prompts = []
        for item in entry.value.items:
            prompt = self._prompt(file, item, deck_id, kind, language)
            if prompt is not None:
                prompts.append(prompt)
        return prompts

    def _prompt(
        self, file: str, item: Value, deck_id: str, kind: str, language: str
    ) -> Prompt | None:
        if not isinstance(item, MapValue):
            self.error(file, item.line, "each question must be a block starting with '- id:'")
            return None
        errors_before = len(self.issues)
        # A seasonal question is offered on its day whatever the depth: 1 unless given.
        optional = OPTIONAL_PROMPT_FIELDS | ({"depth"} if kind == "seasonal" else set())
        fields = self._fields(file, item, PROMPT_FIELDS, optional, "question")
        prompt_id = self._prompt_id(file, fields.get("id"), deck_id)
        depth = self._depth(file, fields.get("depth")) if "depth" in fields else 1
        text = self._text(file, fields.get("text"), prompt_id)
        tags = self._tags(file, fields.get("tags"))
        stages = self._stages(file, fields.get("for"))
        occasion = self._occasion(file, fields.get("occasion"), kind, item.line)
        if any(issue.severity is Severity.ERROR for issue in self.issues[errors_before:]):
            return None
        if prompt_id is None or depth is None or text is None or tags is None or stages is None:
            return None
        if text is not None:
            self.texts.append((text, kind, _Seen(prompt_id, file, fields["text"].key_line)))
        return Prompt(
            prompt_id, deck_id, text, depth, tags, kind, language, item.line, stages, occasion
        )

    def _stages(self, file: str, entry: MapEntry | None) -> tuple[str, ...] | None:
        words = self._tags(file, entry)
        if words is None or entry is None:
            return words
        for word in words:
            if word not in STAGES:
                self.error(
                    file,
                    entry.key_line,
                    f"'for' takes {', '.join(STAGES)}; '{word}' is not one of them",
                )
                return None
        return words

    def _occasion(self, file: str, entry: MapEntry | None, kind: str, line: int) -> str | None:
        if kind != "seasonal":
            if entry is not None:
                self.error(file, entry.key_line, "only a seasonal deck's questions have 'occasion'")
            return None
        value = _scalar(entry.value) if entry is not None else None
        if value not in OCCASIONS:
            self.error(
                file,
                entry.key_line if entry is not None else line,
                f"a seasonal question needs 'occasion:' one of {', '.join(OCCASIONS)}, "
                f"not {_shown(value)}",
            )
            return None
        assert isinstance(value, str)
        return value

    def _prompt_id(self, file: str, entry: MapEntry | None, deck_id: str) -> str | None:
        prompt_id = self._identifier(file, entry, "question id")
        if prompt_id is None or entry is None:
            return None
        if prompt_id in self.prompt_ids:
            first = self.prompt_ids[prompt_id]
            self.error(
                file,
                entry.key_line,
                f"question id '{prompt_id}' is already used in {first.file}:{first.line}; "
                "ids must be unique in all files",
            )
            return None
        self.prompt_ids[prompt_id] = _Seen(prompt_id, file, entry.key_line)
        if not prompt_id.startswith(f"{deck_id}-"):
            self.warn(
                file,
                entry.key_line,
                f"question id '{prompt_id}' does not start with the deck id '{deck_id}-'",
            )
        return prompt_id

    def _depth(self, file: str, entry: MapEntry | None) -> int | None:
        if entry is None:
            return None
        value = _scalar(entry.value)
        if isinstance(value, bool) or not isinstance(value, int) or value not in DEPTHS:
            self.error(
                file,
                entry.key_line,
                f"depth must be 1 (light), 2 (personal) or 3 (deep), not {_shown(value)}",
            )
            return None
        return value

    def _text(self, file: str, entry: MapEntry | None, prompt_id: str | None) -> str | None:
        text = self._words(file, entry, "text", MAX_TEXT_LENGTH)
        if text is None or entry is None:
            return None
        self.wordings.append((normalise_text(text), _Seen(prompt_id or "?", file, entry.key_line)))
        self.text_checks(file, entry.key_line, text)
        return text

    def text_checks(self, file: str, line: int, text: str) -> None:
        """What a question's wording must not do, in any language."""
        opener = yes_no_opener(text)
        if opener is not None:
            self.warn(
                file,
                line,
                f"this reads as a yes/no question ('{opener} ...'); "
                "try opening with What, How, Which or Tell",
            )
        options = menu_options(text)
        if options:
            self.warn(
                file,
                line,
                f"this ends in a menu of {options} options; a pick-one answer says little: "
                "ask the open question and leave the examples out",
            )

    def _tags(self, file: str, entry: MapEntry | None) -> tuple[str, ...] | None:
        if entry is None:
            return ()
        if isinstance(entry.value, ScalarValue) and entry.value.value is None:
            return ()
        if not isinstance(entry.value, ListValue):
            self.error(
                file, entry.key_line, "tags must be a list in square brackets, e.g. [everyday]"
            )
            return None
        tags = []
        for item in entry.value.items:
            value = _scalar(item)
            if not isinstance(value, str) or not value.strip():
                self.error(file, item.line, f"each tag must be a word, not {_shown(value)}")
                return None
            tags.append(value.strip())
        return tuple(tags)

    # all files together

    def cross_file_checks(self) -> None:
        """Duplicate and near-duplicate texts, reported where the second one appears."""
        records = sorted(self.wordings, key=lambda record: (record[1].file, record[1].line))
        matcher = difflib.SequenceMatcher(autojunk=False)
        for later_index, (later_text, later) in enumerate(records):
            matcher.set_seq2(later_text)
            for earlier_text, earlier in records[:later_index]:
                if earlier_text == later_text:
                    how = "the same as"
                else:
                    matcher.set_seq1(earlier_text)
                    if not _similar(matcher):
                        continue
                    how = "nearly the same as"
                self.error(
                    later.file,
                    later.line,
                    f"text of '{later.name}' is {how} '{earlier.name}' "
                    f"({earlier.file}:{earlier.line}); keep one or make them clearly different",
                )
                break
        self.meaning_checks()

    def meaning_checks(self) -> None:
        """Questions that ask the same thing in other words (seasonal ones are one-offs)."""
        records = sorted(
            (record for record in self.texts if record[1] != "seasonal"),
            key=lambda record: (record[2].file, record[2].line),
        )
        items = [MeaningItem(seen, text, kind) for text, kind, seen in records]
        wording_dups = {
            (issue.file, issue.line) for issue in self.issues if "the same as" in issue.message
        }
        for earlier_item, later_item, score in near_duplicates(items):
            earlier, later = earlier_item.key, later_item.key
            assert isinstance(earlier, _Seen)
            assert isinstance(later, _Seen)
            if (later.file, later.line) in wording_dups:
                continue
            self.warn(
                later.file,
                later.line,
                f"'{later.name}' may ask the same as '{earlier.name}' "
                f"({earlier.file}:{earlier.line}) in other words (meaning overlap "
                f"{score:.0%}); merge them or make them clearly different",
            )


@dataclass(frozen=True)
class _Translated:
    """One translation file, checked: its language, deck and texts by prompt id."""

    language: str
    deck_id: str
    file: str
    title: str
    description: str
    texts: dict[str, str]


class _Translations:
    """Translation files: the same ids as the source deck, the same wording rules."""

    def __init__(self, linter: _Linter, decks: Sequence[Deck]) -> None:
        self.linter = linter
        self.decks = {deck.id: deck for deck in decks}

    def apply(self, sources: Sequence[DeckSource]) -> list[Deck]:
        found = [done for source in sources if (done := self.translation(source)) is not None]
        languages = sorted({done.language for done in found})
        self.missing(found, languages)
        return [self.merged(deck, found) for deck in self.decks.values()]

    def translation(self, source: DeckSource) -> _Translated | None:
        linter, file, root = self.linter, source.file, source.root
        if not isinstance(root, MapValue):
            linter.error(file, 1, "a translation starts with id, language, title, description")
            return None
        fields = linter._fields(file, root, TRANSLATION_DECK_FIELDS, (), "translation")
        deck = self.source_deck(file, fields.get("id"), source.stem)
        language = linter._language(file, fields.get("language"))
        folder = file.replace("\\", "/").rsplit("/", 2)[-2] if "/" in file else ""
        if language is not None and folder and language != folder:
            linter.error(file, root.line, f"language '{language}' but the folder is '{folder}/'")
            language = None
        title = linter._words(file, fields.get("title"), "title", MAX_TITLE_LENGTH)
        description = linter._words(file, fields.get("description"), "description", None)
        if deck is None or language is None:
            return None
        texts = self.texts(file, fields.get("prompts"), deck)
        return _Translated(language, deck.id, file, title or "", description or "", texts)

    def source_deck(self, file: str, entry: MapEntry | None, stem: str) -> Deck | None:
        if entry is None:
            return None
        deck_id = _scalar(entry.value)
        if deck_id != stem:
            self.linter.error(
                file, entry.key_line, f"deck id {_shown(deck_id)} does not match the file name"
            )
            return None
        deck = self.decks.get(stem)
        if deck is None:
            self.linter.error(
                file, entry.key_line, f"there is no source deck '{stem}' to translate"
            )
        return deck

    def texts(self, file: str, entry: MapEntry | None, deck: Deck) -> dict[str, str]:
        linter = self.linter
        if entry is None or not isinstance(entry.value, ListValue):
            if entry is not None:
                linter.error(file, entry.key_line, "prompts must be a list of '- id: ...'")
            return {}
        known = {prompt.id for prompt in deck.prompts}
        texts: dict[str, str] = {}
        for item in entry.value.items:
            if not isinstance(item, MapValue):
                linter.error(file, item.line, "each question must be a block starting with '- id:'")
                continue
            fields = linter._fields(file, item, TRANSLATION_PROMPT_FIELDS, (), "question")
            prompt_id = _scalar(fields["id"].value) if "id" in fields else None
            text = linter._words(file, fields.get("text"), "text", MAX_TEXT_LENGTH)
            if prompt_id not in known:
                linter.error(
                    file,
                    item.line,
                    f"question id {_shown(prompt_id)} is not in the source deck "
                    f"'{deck.id}' ({deck.source_file})",
                )
                continue
            assert isinstance(prompt_id, str)
            if prompt_id in texts:
                linter.error(file, item.line, f"question id '{prompt_id}' appears twice")
                continue
            if text is not None:
                linter.text_checks(file, fields["text"].key_line, text)
                texts[prompt_id] = text
        return texts

    def missing(self, found: Sequence[_Translated], languages: Sequence[str]) -> None:
        """A warning per deck and language for the daily questions with no text yet."""
        by_key = {(done.deck_id, done.language): done for done in found}
        for language in languages:
            for deck in self.decks.values():
                if deck.kind != "daily" or deck.language == language:
                    continue
                done = by_key.get((deck.id, language))
                have = done.texts if done is not None else {}
                absent = [prompt.id for prompt in deck.prompts if prompt.id not in have]
                if absent:
                    shown = ", ".join(absent[:3]) + (", ..." if len(absent) > 3 else "")
                    self.linter.warn(
                        done.file if done is not None else deck.source_file,
                        0,
                        f"missing translation: {len(absent)} of {len(deck.prompts)} questions "
                        f"of '{deck.id}' have no '{language}' text ({shown})",
                    )

    def merged(self, deck: Deck, found: Sequence[_Translated]) -> Deck:
        mine = sorted((done for done in found if done.deck_id == deck.id), key=_language_of)
        if not mine:
            return deck
        prompts = tuple(
            replace(
                prompt,
                translations=tuple(
                    (done.language, done.texts[prompt.id])
                    for done in mine
                    if prompt.id in done.texts
                ),
            )
            for prompt in deck.prompts
        )
        titles = tuple((done.language, done.title, done.description) for done in mine)
        return replace(deck, prompts=prompts, translations=titles)


def _language_of(done: _Translated) -> str:
    return done.language


def _similar(matcher: difflib.SequenceMatcher[str]) -> bool:
    return (
        matcher.real_quick_ratio() >= NEAR_DUPLICATE_RATIO
        and matcher.quick_ratio() >= NEAR_DUPLICATE_RATIO
        and matcher.ratio() >= NEAR_DUPLICATE_RATIO
    )


def _scalar(value: Value) -> object:
    """The plain value of a scalar; lists and mappings come back as themselves (always wrong)."""
    return value.value if isinstance(value, ScalarValue) else value


def _shown(value: object) -> str:
    if isinstance(value, ListValue):
        return "a list"
    if isinstance(value, MapValue):
        return "a block of fields"
    if value is None:
        return "empty"
    return f"'{value}'"


_FILLER_WORDS = frozenset(
    {"a", "an", "the", "just", "really", "very", "so", "actually", "quite", "ever"}
)
_APOSTROPHES = re.compile(r"['’‘`]")
_NOT_WORD = re.compile(r"[^\w\s]|_")


def normalise_text(text: str) -> str:
    """Lowercase, no punctuation, single spaces, without a few filler words."""
    lowered = _APOSTROPHES.sub("", text.lower())
    words = _NOT_WORD.sub(" ", lowered).split()
    return " ".join(word for word in words if word not in _FILLER_WORDS)


# Auxiliary verbs that open a yes/no question; contractions appear without the apostrophe.
_YES_NO_OPENER_WORDS = (
    "do does did is are was were have has had can could will would should shall may might "
    "am must isnt arent wasnt werent dont doesnt didnt havent hasnt hadnt cant couldnt "
    "wont wouldnt shouldnt mightnt mustnt"
)
_YES_NO_OPENERS = frozenset(_YES_NO_OPENER_WORDS.split())
_OPEN_WORDS = frozenset({"what", "how", "why", "which", "when", "where", "who", "whom", "whose"})
_CLAUSES = re.compile(r"[^.?!:;]+[.?!:;]*")


def yes_no_opener(text: str) -> str | None:
    """The opening word of a question that reads as yes/no, or None.

    Each clause that ends in `?` is checked: it reads as yes/no when its first word is an
    auxiliary verb (Do, Is, Have, Can, Would, Don't, ...) and no open word (what, how, why,
    which, when, where, who) follows in the same clause. "Do you remember how ...?" passes.
    """
    for match in _CLAUSES.finditer(text):
        clause = match.group().strip()
        if not clause.rstrip("\"')»” ").endswith("?"):
            continue
        words = clause.split()
        cleaned = [_NOT_WORD.sub("", _APOSTROPHES.sub("", word)).lower() for word in words]
        if not cleaned or cleaned[0] not in _YES_NO_OPENERS:
            continue
        if not any(word in _OPEN_WORDS for word in cleaned[1:]):
            return words[0].strip("\"'“”‘’«»(¿¡")
    return None


def summary(decks: Iterable[Deck]) -> str:
    """One line: `18 decks, 289 prompts: daily 241 (depth 1: 97, 2: 80, 3: 64), checkin 24, ...`"""
    decks = list(decks)
    prompts = [prompt for deck in decks for prompt in deck.prompts]
    by_kind = Counter(prompt.kind for prompt in prompts)
    parts = []
    for kind in KINDS:
        if not by_kind[kind]:
            continue
        part = f"{kind} {by_kind[kind]}"
        if kind == "daily":
            depths = Counter(prompt.depth for prompt in prompts if prompt.kind == kind)
            counts = ", ".join(f"{depth}: {depths[depth]}" for depth in DEPTHS)
            part += f" (depth {counts})"
        parts.append(part)
    deck_word = "deck" if len(decks) == 1 else "decks"
    prompt_word = "prompt" if len(prompts) == 1 else "prompts"
    return f"{len(decks)} {deck_word}, {len(prompts)} {prompt_word}: " + ", ".join(parts)


# --- selection -------------------------------------------------------------------------------

FIRST_WEEK_DAYS = 7
DEPTH_TARGET = {1: 0.40, 2: 0.35, 3: 0.25}


def cycle_used(history: Sequence[str], pool: Collection[str]) -> set[str]:
    """The prompts of `pool` used in the current cycle.

    Walking the history from the start, a cycle ends the moment every prompt in the pool
    has been used since the cycle began; the next cycle starts empty. Ids outside the pool
    (retired prompts, decks switched off) do not count. The pool is today's, so switching a
    deck on mid-cycle adds its prompts to the current cycle rather than repeating others.
    """
    members = pool if isinstance(pool, (set, frozenset)) else set(pool)
    size = len(members)
    used: set[str] = set()
    for prompt_id in history:
        if prompt_id in members:
            used.add(prompt_id)
            if len(used) == size:
                used = set()
    return used


def choose_prompt(
    pair_id: int,
    eligible: Sequence[Prompt],
    history: Sequence[str],
    pair_age_days: int,
    disabled_decks: Collection[str] = frozenset(),
    exclude: Collection[str] = frozenset(),
) -> Prompt | None:
    """The next question for a pair; the same inputs always give the same answer.

    - `eligible`: every live daily prompt in the pair's language (all decks, on or off).
    - `history`: ids of the prompts already sent to the pair, oldest first.
    - `disabled_decks`: decks the pair switched off; if that is all of them, all count as on.
    - `exclude`: ids to avoid now (the question being swapped away by /skip).

    Rules, in order:
    1. Never repeat within a cycle (see `cycle_used`). When only excluded prompts are
       left in the cycle, the next cycle opens early.
    2. Prompts sent in the last `pool // 2` days rest while others are left, so a new
       cycle starts with the prompts used least recently rather than yesterday's.
    3. In the pair's first week (`pair_age_days < 7`) only the lightest remaining depth.
    4. After that a depth is drawn, aiming at 40% depth 1, 35% depth 2, 25% depth 3,
       weighted by the cube of the share of each depth still unused in the cycle, so the
       depths run out together; depth 3 never twice in a row while another depth is left.
       (Over a whole cycle the mix is the pool's own: every prompt is used once.)
    5. Within the depth, one prompt drawn by a hash of (pair, day number) from the
       candidates in id order (so the order of `eligible` does not matter).

    The daily fan-out chooses for every pair at once: it builds a `DailyPool` once per
    set of switched-off decks and calls `choose` on it, which is the same thing.
    """
    return DailyPool(eligible, disabled_decks).choose(pair_id, history, pair_age_days, exclude)


class DailyPool:
    """What `choose_prompt` works out from the decks alone, worked out once.

    Everything here depends only on the catalogue and the switched-off decks, not on the
    pair, so the fan-out shares one pool among all pairs with the same decks switched off.
    Per pair, the work is set arithmetic on ids, which runs for every due pair.
    """

    def __init__(
        self,
        eligible: Sequence[Prompt],
        disabled_decks: Collection[str] = (),
        stages: Collection[str] = (),
    ) -> None:
        eligible = [prompt for prompt in eligible if fits_stages(prompt, stages)]
        switched_on = [prompt for prompt in eligible if prompt.deck_id not in disabled_decks]
        prompts = sorted(switched_on or eligible, key=lambda prompt: prompt.id)
        self.ids = frozenset(prompt.id for prompt in prompts)
        self._depth_of = {prompt.id: prompt.depth for prompt in eligible}
        # Each depth's prompts in id order, and their ids, lightest depth first.
        self._by_depth = {
            depth: [prompt for prompt in prompts if prompt.depth == depth]
            for depth in sorted({prompt.depth for prompt in prompts})
        }
        self._ids_by_depth = {
            depth: frozenset(prompt.id for prompt in at_depth)
            for depth, at_depth in self._by_depth.items()
        }
        self._totals = {depth: len(at_depth) for depth, at_depth in self._by_depth.items()}
        self._rest = len(self.ids) // 2

    def choose(
        self,
        pair_id: int,
        history: Sequence[str],
        pair_age_days: int,
        exclude: Collection[str] = frozenset(),
        max_depth: int = 3,
    ) -> Prompt | None:
        """`max_depth` comes from `bot.prompts.rules.max_depth`: deeper prompts wait
        (unused in the cycle) until it allows them."""
        candidates = self._candidate_ids(history, exclude)
        if candidates is None:
            left = self._totals  # a new pair: everything is a candidate
        else:
            left = {depth: len(candidates & ids) for depth, ids in self._ids_by_depth.items()}
        left = {depth: count for depth, count in left.items() if count and depth <= max_depth}
        if not left and self._totals:
            # Every prompt within the limit is used in this cycle: a rested one within the
            # limit beats a deeper one on a day meant to be light.
            candidates = self._within(max_depth, history, exclude)
            left = {depth: len(candidates & ids) for depth, ids in self._ids_by_depth.items()}
            left = {depth: count for depth, count in left.items() if count}
        if not left:
            return None
        day_number = len(history)
        if pair_age_days < FIRST_WEEK_DAYS:
            depth = min(left)
        else:
            last_depth = self._depth_of.get(history[-1]) if history else None
            depth = _draw_depth(pair_id, day_number, self._totals, left, last_depth)
        at_depth = self._by_depth[depth]
        if candidates is not None:
            at_depth = [prompt for prompt in at_depth if prompt.id in candidates]
        return at_depth[_digest(pair_id, day_number, "prompt") % len(at_depth)]

    def _within(
        self, max_depth: int, history: Sequence[str], exclude: Collection[str]
    ) -> frozenset[str]:
        """Prompts up to `max_depth` (or the lightest depth there is), least recent first."""
        depth = max(min(self._ids_by_depth), min(max_depth, max(self._ids_by_depth)))
        within = frozenset().union(
            *(ids for at, ids in self._ids_by_depth.items() if at <= depth)
        ) - frozenset(exclude)
        recent = set(history[-max(len(within) // 2, 1) :])
        return (within - recent) or within

    def _candidate_ids(
        self, history: Sequence[str], exclude: Collection[str]
    ) -> frozenset[str] | None:
        """Unused in this cycle, not excluded, and rested if any rested ones are left;
        None when that is the whole pool."""
        if not history and not exclude:
            return None
        excluded = self.ids.intersection(exclude)
        left = self.ids - cycle_used(history, self.ids) - excluded
        if not left:
            left = self.ids - excluded
        rested = left.difference(history[-self._rest :]) if self._rest else left
        return rested or left


def fits_stages(prompt: Prompt, stages: Collection[str]) -> bool:
    """A prompt with `for:` goes only to pairs in one of its stages; others go to all."""
    return not prompt.stages or any(stage in stages for stage in prompt.stages)


def choose_seasonal(
    pair_id: int,
    prompts: Sequence[Prompt],
    history: Sequence[str],
    stages: Collection[str] = (),
) -> Prompt | None:
    """An unused seasonal prompt of the day's occasion (the caller passes that occasion's
    prompts), or None when all have been used: then the usual choice applies."""
    used = set(history)
    unused = sorted(
        (p for p in prompts if p.id not in used and fits_stages(p, stages)), key=lambda p: p.id
    )
    if not unused:
        return None
    return unused[_digest(pair_id, len(history), "seasonal") % len(unused)]


def _draw_depth(
    pair_id: int,
    day_number: int,
    totals: dict[int, int],
    left: dict[int, int],
    last_depth: int | None,
) -> int:
    """A depth with prompts `left`, lightest first in the draw."""
    # The cube of the share still unused pulls a lagging depth forward quickly, so the
    # depths run out together and a cycle does not end in a run of deep days.
    weights = {
        depth: DEPTH_TARGET.get(depth, 0.1) * (count / totals[depth]) ** 3
        for depth, count in sorted(left.items())
    }
    if last_depth == 3 and any(depth != 3 for depth in weights):
        weights.pop(3, None)
    total = sum(weights.values())
    draw = _digest(pair_id, day_number, "depth") / 2**64 * total
    for depth, weight in weights.items():
        if draw < weight:
            return depth
        draw -= weight
    return max(weights)


def _digest(pair_id: int, day_number: int, salt: str) -> int:
    data = f"{pair_id}:{day_number}:{salt}".encode()
    return int.from_bytes(hashlib.sha256(data).digest()[:8], "big")


# --- statistics, as the curator tools show them ---------------------------------------------


@dataclass(frozen=True)
class PromptStat:
    """How one prompt is doing. `answer_rate` counts rounds where both partners answered."""

    prompt_id: str
    deck_id: str
    depth: int
    text: str
    retired: bool
    sent: int
    answered_by_both: int
    median_answer_length: float | None
    skipped: int
    language: str = SOURCE_LANGUAGE

    @property
    def answer_rate(self) -> float | None:
        return self.answered_by_both / self.sent if self.sent else None

    @property
    def skip_rate(self) -> float | None:
        return self.skipped / self.sent if self.sent else None


# A prompt is "skipped often" once it has been skipped at least this many times and in at
# least this share of its sends: a few sends prove nothing, and a popular prompt skipped
# now and then is fine.
OFTEN_SKIPPED_MIN = 3
OFTEN_SKIPPED_SHARE = 0.25


def skipped_often(stats: Iterable[PromptStat]) -> list[PromptStat]:
    """The prompts couples skip often (see `OFTEN_SKIPPED_*`), most skipped share first."""
    found = [
        stat
        for stat in stats
        if stat.skipped >= OFTEN_SKIPPED_MIN and (stat.skip_rate or 0) >= OFTEN_SKIPPED_SHARE
    ]
    return sorted(found, key=lambda stat: (-(stat.skip_rate or 0), stat.prompt_id))


@dataclass(frozen=True)
class GroupRate:
    """Both-answered rate of a group of prompts (a deck, a depth or a language)."""

    group: str
    sent: int
    answered_by_both: int

    @property
    def answer_rate(self) -> float | None:
        return self.answered_by_both / self.sent if self.sent else None


STAT_GROUPS: dict[str, Callable[[PromptStat], str]] = {
    "deck": lambda stat: stat.deck_id,
    "depth": lambda stat: str(stat.depth),
    "language": lambda stat: stat.language,
}


def rates_by(stats: Iterable[PromptStat], group: str) -> list[GroupRate]:
    """Sent and both-answered summed per deck, depth or language, in that group's order."""
    key = STAT_GROUPS[group]
    sent: Counter[str] = Counter()
    both: Counter[str] = Counter()
    for stat in stats:
        sent[key(stat)] += stat.sent
        both[key(stat)] += stat.answered_by_both
    return [GroupRate(name, sent[name], both[name]) for name in sorted(sent)]


STAT_SORTS = ("sent", "answer_rate", "median_length", "skipped")


def sort_stats(
    stats: Iterable[PromptStat], by: str, *, ascending: bool = False
) -> list[PromptStat]:
    """Sort by a column of `STAT_SORTS`, highest first unless `ascending`; blanks go last."""
    keys: dict[str, Callable[[PromptStat], float | None]] = {
        "sent": lambda stat: stat.sent,
        "answer_rate": lambda stat: stat.answer_rate,
        "median_length": lambda stat: stat.median_answer_length,
        "skipped": lambda stat: stat.skipped,
    }
    if by not in keys:
        raise ValueError(f"cannot sort by {by!r}; use one of {', '.join(STAT_SORTS)}")
    key = keys[by]
    ordered = sorted(stats, key=lambda stat: stat.prompt_id)
    present = [stat for stat in ordered if key(stat) is not None]
    blank = [stat for stat in ordered if key(stat) is None]
    present.sort(key=lambda stat: float(key(stat) or 0), reverse=not ascending)
    return present + blank
