"""Lint rules about what a question means, not how it is spelled.

Standard library only (the domain layer's contract), so the stemmer is a small suffix
stripper and the synonyms a short hand-made list. Both are tuned on the near-duplicates a
careful read found in the first decks (`tests/fixtures/decks-v1`, see the tests).

- `near_duplicates(texts)`: pairs of questions that ask the same thing in other words.
- `menu_options(text)`: a question that ends in a list of three or more options.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# Two questions whose content words overlap this much (overlap coefficient of the
# stemmed sets, see `similarity`) ask the same thing. Tuned on tests/fixtures/decks-v1.
MEANING_THRESHOLD = 0.6
# Two questions sharing fewer topic words than this are never near-duplicates.
MIN_SHARED = 2

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")

# Words that carry no topic: function words and the scaffolding every question shares
# ("feel" and "help" open half the questions, so sharing them says nothing; the
# inflected "feels" and "helps" stay, which tuning on the known pairs preferred).
_STOP_WORD_TEXT = """
    a about after again all also am an and any anything are around as at be because been
    before being both but by can could did do does doing done each either else even ever
    every feel for from get gets getting give go going got had has have having he help her
    here him his
    how i if in into is it its just kind let like ll lot make makes may me might more most
    much my need needs never next no nor not now of off often on once one only or other our
    out over own part partner partners re really right s said say says see she should so
    some something sometimes still such t tell than that the their them then there these
    they thing things think this those through time times to too try two up us usually
    ve very want wants was way ways we well were what when where whether which while who
    whom whose why will with without would you your yours yourself
"""
_STOP_WORDS = frozenset(_STOP_WORD_TEXT.split())

# Words that stand for one idea in these decks, so "argument" meets "disagreement". Each
# line is an idea and the words that stand for it; they are matched after stemming.
_IDEAS = """
conflict: argument disagreement fight quarrel conflict tense tension
apology: sorry apology apologise apologize apologizing making-up
cool: cool calm settle ready alone space
attention: attention listening listen heard focus sign
open: share tell patience judging fixing judge fix open honest met
low: upset tired sad low unsure struggling struggle rough stressful hard tough down worst
safe: safe secure backed
reliable: reliably reliable habits habit everyday count rely depend easier easy overlook
cared: looked cared thinking gesture lift message call showed
carry: carrying carry hold holding weight quietly
mind: mind fine struggling know
comfort: comfort mood lifts food song walk
remote: video afar phone film recipe far apart distance room date evening
together: together regularly missed lately doing
changed: richer changed better grown expect
play: playful silly fun laugh
moment: moment glad happened close closer connected connection
keep: keep going continue
thank: thank thanks applause effort give gave grateful appreciate deserves hear
"""

_SUFFIXES = (
    "ations",
    "ation",
    "ness",
    "ments",
    "ment",
    "ings",
    "ing",
    "edly",
    "ied",
    "ies",
    "ful",
    "ly",
    "ed",
    "es",
    "er",
    "s",
)


def stem(word: str) -> str:
    """A crude English stem: strip one common suffix, keeping at least three letters."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _idea_map() -> dict[str, str]:
    ideas: dict[str, str] = {}
    for line in _IDEAS.strip().splitlines():
        idea, words = line.split(":")
        for word in words.split():
            ideas[stem(word)] = idea
    return ideas


_IDEA_OF = _idea_map()


def content_words(text: str) -> frozenset[str]:
    """The topic words of a question: lowercase, no stop words, stemmed, ideas merged."""
    words = (match.group().replace("’", "'").lower() for match in _WORD.finditer(text))
    kept = set()
    for word in words:
        word = word.split("'")[0]  # you're -> you, partner's -> partner
        if word in _STOP_WORDS:
            continue
        stemmed = stem(word)
        kept.add(_IDEA_OF.get(stemmed, stemmed))
    return frozenset(kept)


def idf_weights(word_sets: Sequence[frozenset[str]]) -> dict[str, float]:
    """How telling each word is: rare words weigh more (inverse document frequency)."""
    counts = Counter(word for words in word_sets for word in words)
    total = len(word_sets)
    return {word: math.log((total + 1) / count) for word, count in counts.items()}


def similarity(
    left: frozenset[str], right: frozenset[str], weights: Mapping[str, float] | None = None
) -> float:
    """Weight of the shared topic words over the lighter question's weight (0..1).

    An overlap coefficient, not Jaccard: a short question restated inside a longer one is
    still the same question. Fewer than `MIN_SHARED` shared words is never a match.
    """
    shared = left & right
    if len(shared) < MIN_SHARED:
        return 0.0

    def weight(words: frozenset[str]) -> float:
        return sum(weights.get(word, 1.0) for word in words) if weights else float(len(words))

    lighter = min(weight(left), weight(right))
    return weight(shared) / lighter if lighter else 0.0


@dataclass(frozen=True)
class MeaningItem:
    """One question to compare; `key` is whatever the caller wants back (a location)."""

    key: object
    text: str
    group: str = ""  # the kind: check-in and daily questions are compared too


def near_duplicates(
    items: Sequence[MeaningItem], threshold: float = MEANING_THRESHOLD
) -> list[tuple[MeaningItem, MeaningItem, float]]:
    """Every pair (earlier, later) whose content words overlap at least `threshold`."""
    words = [content_words(item.text) for item in items]
    weights = idf_weights(words)
    found = []
    for later in range(len(items)):
        for earlier in range(later):
            score = similarity(words[earlier], words[later], weights)
            if score >= threshold:
                found.append((items[earlier], items[later], score))
    return found


_OR = re.compile(r"\bor\b", re.IGNORECASE)
# An option in a menu is a few words ("a long walk"); a longer run is a clause of its own.
_OPTION_WORDS = 5


def _short(part: str) -> bool:
    return 0 < len(part.split()) <= _OPTION_WORDS


def menu_options(text: str) -> int:
    """How many options a question ends with ("a, b, or c?"), 0 if it ends in no menu.

    Only a list that closes the question counts: the last option sits right before the `?`
    after an "or", and every option is a few words. Nouns listed mid-question ("language,
    dialect or hometown, and what ...") are examples, not a menu. Without a colon or dash,
    the clause that opens the sentence is the question's stem, never an option.
    """
    sentence = re.split(r"[.!;]\s", text.strip())[-1].strip()
    if not sentence.endswith("?"):
        return 0
    sentence = sentence[:-1]
    pieces = re.split(r"\s*[:—–]\s*", sentence)
    after_colon = len(pieces) > 1
    segments = [segment.strip() for segment in pieces[-1].split(",")]
    last = segments.pop()
    if last.lower().startswith("or "):
        options = 1
        if not _short(last[3:]):
            return 0
    else:
        halves = _OR.split(last)
        if len(halves) != 2 or not all(_short(half) for half in halves):
            return 0
        options = 2
    stem_clause = 0 if after_colon else 1
    for segment in reversed(segments[stem_clause:]):
        if not _short(segment):
            break
        options += 1
    # Without a colon or dash, three short pieces are as often an aside ("however simply,
    # near or far") as a menu; four are a menu.
    return options if options >= (3 if after_colon else 4) else 0
