"""Deck format v2 (issue 17): `for:`, `occasion:`, `enabled_by_default`, translations."""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.prompts.library import load_folder
from bot.prompts.lint import Severity

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "prompts_translations"


def rendered(folder: Path) -> list[str]:
    return [issue.render().replace(str(folder) + "/", "") for issue in load_folder(folder).issues]


def test_translations_land_in_the_prompts_and_unknown_ids_are_errors() -> None:
    result = load_folder(FIXTURE)
    issues = rendered(FIXTURE)
    assert any(line.startswith("es/trust.yaml:8: question id 'trust-99'") for line in issues)
    missing = [issue for issue in result.issues if "missing translation" in issue.message]
    assert len(missing) == 1  # one finding per deck, not per question
    assert missing[0].severity is Severity.WARNING
    assert "2 of 3" in missing[0].message
    (deck,) = result.decks
    assert deck.translations[0][:2] == ("es", "Confianza")
    first, second, _ = deck.prompts
    assert first.texts == {
        "en": "What makes a promise feel solid to you?",
        "es": "¿Qué hace que una promesa te parezca firme?",
    }
    assert second.texts == {"en": second.text}
    assert second.stages == ("long-distance",)


def write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_a_complete_translation_is_clean(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "trust.yaml", tmp_path / "trust.yaml")
    body = "\n".join(
        f"  - id: trust-0{number}\n    text: ¿Qué pregunta abierta número {number} te harías?"
        for number in (1, 2, 3)
    )
    write(
        tmp_path,
        "es/trust.yaml",
        f"id: trust\nlanguage: es\ntitle: Confianza\ndescription: Contar.\nprompts:\n{body}\n",
    )
    assert rendered(tmp_path) == []


def test_a_translation_in_the_wrong_folder_or_of_no_deck(tmp_path: Path) -> None:
    shutil.copy(FIXTURE / "trust.yaml", tmp_path / "trust.yaml")
    head = "language: es\ntitle: T\ndescription: D.\nprompts:\n  - id: trust-01\n    text: ¿Qué?\n"
    write(tmp_path, "fr/trust.yaml", "id: trust\n" + head)
    write(tmp_path, "es/nothing.yaml", "id: nothing\n" + head)
    issues = rendered(tmp_path)
    assert any(line.startswith("fr/trust.yaml:1: language 'es' but the folder") for line in issues)
    assert any(line.startswith("es/nothing.yaml:1: there is no source deck") for line in issues)


DECK = """id: {id}
title: T
description: D.
kind: {kind}
language: en
{extra}prompts:
  - id: {id}-01
    depth: 1
    text: {text}
{prompt}"""


def test_seasonal_opt_in_and_stages(tmp_path: Path) -> None:
    write(
        tmp_path,
        "seasons.yaml",
        DECK.format(
            id="seasons",
            kind="seasonal",
            extra="",
            prompt="    occasion: year-end\n",
            text="What from this year would you like to keep?",
        ),
    )
    write(
        tmp_path,
        "past.yaml",
        DECK.format(
            id="past",
            kind="daily",
            extra="enabled_by_default: false\n",
            prompt="    for: [new, parents]\n",
            text="Which old story of yours is ready to be told gently?",
        ),
    )
    result = load_folder(tmp_path)
    assert [issue.render() for issue in result.errors] == []
    decks = {deck.id: deck for deck in result.decks}
    assert decks["seasons"].prompts[0].occasion == "year-end"
    assert decks["past"].enabled_by_default is False
    assert decks["seasons"].enabled_by_default is True
    assert decks["past"].prompts[0].stages == ("new", "parents")


def test_bad_occasion_and_stage_are_errors(tmp_path: Path) -> None:
    write(
        tmp_path,
        "seasons.yaml",
        DECK.format(id="seasons", kind="seasonal", extra="", prompt="", text="What now?"),
    )
    write(
        tmp_path,
        "daily.yaml",
        DECK.format(
            id="daily",
            kind="daily",
            extra="enabled_by_default: maybe\n",
            prompt="    for: [married]\n    occasion: new-year\n",
            text="How are you?",
        ),
    )
    issues = rendered(tmp_path)
    assert any("seasons.yaml:" in line and "needs 'occasion:'" in line for line in issues)
    assert any("'married' is not one of them" in line for line in issues)
    assert any("only a seasonal deck's questions have 'occasion'" in line for line in issues)
    assert any("enabled_by_default must be true or false" in line for line in issues)


def test_a_seasonal_question_needs_no_depth(tmp_path: Path) -> None:
    deck = DECK.format(
        id="seasons",
        kind="seasonal",
        extra="",
        prompt="    occasion: anniversary\n",
        text="What has this year together taught you?",
    ).replace("    depth: 1\n", "")
    write(tmp_path, "seasons.yaml", deck)
    write(
        tmp_path,
        "daily.yaml",
        DECK.format(id="daily", kind="daily", extra="", prompt="", text="Which song fits today?"),
    )
    result = load_folder(tmp_path)
    assert [issue.render() for issue in result.errors] == []
    seasons = next(deck for deck in result.decks if deck.id == "seasons")
    assert seasons.prompts[0].depth == 1
    assert seasons.prompts[0].occasion == "anniversary"
