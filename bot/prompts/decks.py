"""Question decks once read: prompts, decks, their fields and limits.

Standard library only. Reading YAML happens in `bot.prompts.library`; the curator's lint is
`bot.prompts.lint`, the choice of a pair's next question `bot.prompts.rules`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

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


_FILLER_WORDS = frozenset(
    {"a", "an", "the", "just", "really", "very", "so", "actually", "quite", "ever"}
)


APOSTROPHES = re.compile(r"['’‘`]")


NOT_WORD = re.compile(r"[^\w\s]|_")


def normalise_text(text: str) -> str:
    """Lowercase, no punctuation, single spaces, without a few filler words."""
    lowered = APOSTROPHES.sub("", text.lower())
    words = NOT_WORD.sub(" ", lowered).split()
    return " ".join(word for word in words if word not in _FILLER_WORDS)


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
