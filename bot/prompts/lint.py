"""The curator's lint: every rule about a deck file's shape and wording, as `file:line:
what is wrong`.

Standard library only. `bot.prompts.library` reads YAML into plain values that remember
their line numbers (`ScalarValue`, `ListValue`, `MapValue`) and hands them over here.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum

from bot.prompts.decks import (
    APOSTROPHES,
    DECK_FIELDS,
    DEPTHS,
    ID_PATTERN,
    KINDS,
    LANGUAGE_PATTERN,
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    MAX_TITLE_LENGTH,
    NEAR_DUPLICATE_RATIO,
    NOT_WORD,
    OCCASIONS,
    OPTIONAL_DECK_FIELDS,
    OPTIONAL_PROMPT_FIELDS,
    PROMPT_FIELDS,
    STAGES,
    TRANSLATION_DECK_FIELDS,
    TRANSLATION_PROMPT_FIELDS,
    Deck,
    Prompt,
    normalise_text,
)
from bot.prompts.meaning import MeaningItem, menu_options, near_duplicates


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
        cleaned = [NOT_WORD.sub("", APOSTROPHES.sub("", word)).lower() for word in words]
        if not cleaned or cleaned[0] not in _YES_NO_OPENERS:
            continue
        if not any(word in _OPEN_WORDS for word in cleaned[1:]):
            return words[0].strip("\"'“”‘’«»(¿¡")
    return None
