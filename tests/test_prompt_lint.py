"""The curator's linter: the shipped decks are clean, and each rule names its file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.prompts.decks import normalise_text
from bot.prompts.library import (
    PromptFilesInvalid,
    format_issue,
    load_folder,
    load_valid_decks,
)
from bot.prompts.lint import Severity, yes_no_opener

ROOT = Path(__file__).resolve().parent.parent
PROMPTS = ROOT / "prompts"
BROKEN = Path(__file__).resolve().parent / "fixtures" / "prompts_broken"


def where(rule: str, file: str, line: int) -> str:
    return f"{BROKEN / rule / file}:{line}"


def issues_of(rule: str) -> list[tuple[str, Severity, str]]:
    """(file:line, severity, message) of every issue in one fixture folder."""
    result = load_folder(BROKEN / rule)
    return [
        (f"{issue.file}:{issue.line}", issue.severity, issue.message) for issue in result.issues
    ]


def errors_at(rule: str) -> list[str]:
    return [place for place, severity, _ in issues_of(rule) if severity is Severity.ERROR]


# --- the shipped decks ------------------------------------------------------------------


def test_shipped_decks_have_no_errors() -> None:
    result = load_folder(PROMPTS)
    assert result.errors == [], "\n".join(format_issue(issue) for issue in result.errors)
    assert result.ok


# The meaning and menu checks flag today's decks; the v2 decks (issue 17's content, written
# on another branch) fix them. Drop this marker when they are merged.
@pytest.mark.xfail(reason="v2 decks of issue 17 not merged yet", strict=False)
def test_shipped_decks_have_no_warnings() -> None:
    result = load_folder(PROMPTS)
    assert result.warnings == [], "\n".join(format_issue(issue) for issue in result.warnings)


def test_shipped_decks_cover_the_issue() -> None:
    result = load_folder(PROMPTS)
    daily = [deck for deck in result.decks if deck.kind == "daily"]
    assert len(daily) >= 20
    assert sum(len(deck.prompts) for deck in daily) >= 500
    for kind in ("checkin", "reconnect"):
        decks = [deck for deck in result.decks if deck.kind == kind]
        assert sum(len(deck.prompts) for deck in decks) >= 20, kind
    for deck in daily:
        # Past and healing is gentle but never light: depths 2 and 3 only.
        light = set() if deck.id == "past-and-healing" else {1}
        assert {prompt.depth for prompt in deck.prompts} == light | {2, 3}, deck.id


def test_summary_line_counts_kinds_and_depths() -> None:
    result = load_folder(PROMPTS)
    daily = [p for deck in result.decks if deck.kind == "daily" for p in deck.prompts]
    depth = {d: sum(1 for p in daily if p.depth == d) for d in (1, 2, 3)}
    total = sum(len(deck.prompts) for deck in result.decks)
    assert result.summary().startswith(
        f"{len(result.decks)} decks, {total} prompts: daily {len(daily)} "
        f"(depth 1: {depth[1]}, 2: {depth[2]}, 3: {depth[3]}), checkin "
    )


def test_start_up_validation_passes_on_the_shipped_decks() -> None:
    assert load_valid_decks(PROMPTS).decks


# --- each rule, with its line -------------------------------------------------------------


def test_unknown_fields_at_deck_and_question_level() -> None:
    issues = issues_of("unknown-field")
    assert [place for place, _, _ in issues] == [
        where("unknown-field", "alpha.yaml", 7),
        where("unknown-field", "alpha.yaml", 15),
    ]
    assert "unknown deck field 'colour'" in issues[0][2]
    assert "unknown question field 'note'" in issues[1][2]


def test_missing_fields_are_reported_where_the_block_starts() -> None:
    issues = issues_of("missing-field")
    assert [(place, message) for place, _, message in issues] == [
        (where("missing-field", "alpha.yaml", 2), "missing deck field 'description'"),
        (where("missing-field", "alpha.yaml", 10), "missing question field 'depth'"),
    ]


def test_duplicate_question_ids_across_files() -> None:
    issues = issues_of("duplicate-id")
    assert [place for place, _, _ in issues] == [where("duplicate-id", "beta.yaml", 11)]
    assert "'alpha-02' is already used in" in issues[0][2]
    assert f"{where('duplicate-id', 'alpha.yaml', 11)}" in issues[0][2]


def test_duplicate_deck_ids() -> None:
    issues = issues_of("duplicate-deck-id")
    assert [place for place, _, _ in issues] == [where("duplicate-deck-id", "alpha.yml", 2)]
    assert "deck id 'alpha' is already used" in issues[0][2]


def test_deck_id_must_match_the_file_name() -> None:
    issues = issues_of("deck-id-mismatch")
    assert [place for place, _, _ in issues] == [where("deck-id-mismatch", "alpha.yaml", 2)]
    assert "does not match the file name 'alpha'" in issues[0][2]


def test_empty_texts() -> None:
    issues = issues_of("empty-text")
    assert [(place, message) for place, _, message in issues] == [
        (where("empty-text", "alpha.yaml", 10), "text is empty"),
        (where("empty-text", "alpha.yaml", 13), "text is empty"),
    ]


def test_over_long_text() -> None:
    issues = issues_of("long-text")
    assert [place for place, _, _ in issues] == [where("long-text", "alpha.yaml", 13)]
    assert "the limit is 1000" in issues[0][2]


def test_bad_depths() -> None:
    assert errors_at("bad-depth") == [
        where("bad-depth", "alpha.yaml", 9),
        where("bad-depth", "alpha.yaml", 12),
        where("bad-depth", "alpha.yaml", 15),
    ]
    assert all("depth must be 1" in message for _, _, message in issues_of("bad-depth"))


def test_bad_kind() -> None:
    issues = issues_of("bad-kind")
    assert [place for place, _, _ in issues] == [where("bad-kind", "beta.yaml", 5)]
    assert "kind must be daily, checkin, reconnect or seasonal, not 'weekly'" in issues[0][2]


def test_bad_language() -> None:
    assert errors_at("bad-language") == [where("bad-language", "alpha.yaml", 6)]


def test_tags_must_be_a_list_of_words() -> None:
    issues = issues_of("bad-tags")
    assert [place for place, _, _ in issues] == [
        where("bad-tags", "alpha.yaml", 11),
        where("bad-tags", "alpha.yaml", 17),
    ]
    assert "tags must be a list" in issues[0][2]
    assert "'42'" in issues[1][2]


def test_duplicate_and_near_duplicate_texts_across_files() -> None:
    issues = issues_of("duplicate-text")
    assert [place for place, _, _ in issues] == [
        where("duplicate-text", "beta.yaml", 10),
        where("duplicate-text", "beta.yaml", 13),
    ]
    assert "is the same as 'alpha-01'" in issues[0][2]
    assert "is nearly the same as 'alpha-02'" in issues[1][2]


def test_yes_no_questions_are_warnings_only() -> None:
    issues = issues_of("yes-no")
    assert [(place, severity) for place, severity, _ in issues] == [
        (where("yes-no", "alpha.yaml", 10), Severity.WARNING),
        (where("yes-no", "alpha.yaml", 16), Severity.WARNING),
        (where("yes-no", "alpha.yaml", 20), Severity.WARNING),
    ]
    assert "('Isn't ...')" in issues[2][2]
    assert load_folder(BROKEN / "yes-no").ok


def test_yaml_syntax_error_is_a_line_not_a_traceback() -> None:
    issues = issues_of("yaml-syntax")
    assert [place for place, _, _ in issues] == [where("yaml-syntax", "alpha.yaml", 10)]
    assert issues[0][2].startswith("YAML syntax error: mapping values are not allowed here")
    assert "'>-'" in issues[0][2]


def test_tabs_get_a_hint() -> None:
    issues = issues_of("yaml-tab")
    assert [place for place, _, _ in issues] == [where("yaml-tab", "alpha.yaml", 9)]
    assert "never tabs" in issues[0][2]


def test_a_file_that_is_not_a_deck() -> None:
    assert errors_at("not-a-deck") == [where("not-a-deck", "alpha.yaml", 2)]


def test_empty_folder_and_empty_file(tmp_path: Path) -> None:
    result = load_folder(tmp_path)
    assert [issue.render() for issue in result.issues] == [
        f"{tmp_path}: no deck files (*.yaml) found: is this the prompts folder?"
    ]
    (tmp_path / "alpha.yaml").write_text("# nothing yet\n")
    [issue] = load_folder(tmp_path).errors
    assert format_issue(issue).startswith(f"{tmp_path / 'alpha.yaml'}:1: the file is empty")


def test_not_utf8(tmp_path: Path) -> None:
    (tmp_path / "alpha.yaml").write_bytes(b"id: alpha\ntitle: Caf\xe9\n")
    [issue] = load_folder(tmp_path).issues
    assert (
        issue.render()
        == f"{tmp_path / 'alpha.yaml'}:2: the file is not UTF-8 text: save it as UTF-8"
    )


def test_repeated_field_in_one_block(tmp_path: Path) -> None:
    deck = (BROKEN / "duplicate-id" / "alpha.yaml").read_text()
    (tmp_path / "alpha.yaml").write_text(
        deck.replace("    depth: 2\n", "    depth: 2\n    depth: 3\n")
    )
    [issue] = load_folder(tmp_path).issues
    assert issue.render() == (
        f"{tmp_path / 'alpha.yaml'}:13: field 'depth' appears twice (first on line 12)"
    )


def test_start_up_validation_raises_with_the_linters_lines() -> None:
    with pytest.raises(PromptFilesInvalid) as raised:
        load_valid_decks(BROKEN / "bad-kind")
    assert raised.value.issues[0].line == 5
    assert f"{BROKEN / 'bad-kind' / 'beta.yaml'}:5: kind must be" in str(raised.value)


# --- the text rules on their own ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "opener"),
    [
        ("Do you like mornings?", "Do"),
        ("Are you a morning person?", "Are"),
        ("Don't you love a slow Sunday?", "Don't"),
        ("Think of your last trip. Would you go back?", "Would"),
        ("A quick one: did it rain?", "did"),
        ("What do you like about mornings?", None),
        ("Do you remember how you met?", None),
        ("Would you rather have a day at the sea, and why?", None),
        ("Tell me about a small kindness. Is there more to say?", "Is"),
        ("Describe your ideal Sunday.", None),
        ("If you could go anywhere tomorrow, where would you go?", None),
    ],
)
def test_yes_no_heuristic(text: str, opener: str | None) -> None:
    assert yes_no_opener(text) == opener


def test_normalisation_ignores_case_punctuation_and_fillers() -> None:
    assert normalise_text("What's  the ONE thing, really?") == normalise_text("whats one thing")


# --- the command ------------------------------------------------------------------------------


def test_cli_lint_clean_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "lint", str(PROMPTS)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    # Warnings (if any) come first and do not fail the command; the summary comes last.
    assert out[-1] == load_folder(PROMPTS).summary()
    assert all(": warning: " in line for line in out[:-1])


def test_cli_lint_broken_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "lint", str(BROKEN / "duplicate-text")]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{where('duplicate-text', 'beta.yaml', 10)}: text of 'beta-01'")
    assert lines[1].startswith(f"{where('duplicate-text', 'beta.yaml', 13)}: text of 'beta-02'")
    assert lines[2] == "2 errors, 0 warnings"


def test_cli_lint_warnings_alone_pass(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prompts", "lint", str(BROKEN / "yes-no")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == (
        f"{where('yes-no', 'alpha.yaml', 10)}: warning: this reads as a yes/no question "
        "('Do ...'); try opening with What, How, Which or Tell"
    )
    assert lines[-1] == "1 deck, 4 prompts: daily 4 (depth 1: 2, 2: 2, 3: 0)"


def test_cli_lint_reads_prompts_dir_without_a_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.setenv("PROMPTS_DIR", str(BROKEN / "bad-kind"))
    assert main(["prompts", "lint"]) == 1
    assert f"{where('bad-kind', 'beta.yaml', 5)}: kind must be" in capsys.readouterr().out


def test_a_folder_without_a_daily_deck(tmp_path: Path) -> None:
    deck = (BROKEN / "duplicate-id" / "alpha.yaml").read_text()
    (tmp_path / "alpha.yaml").write_text(deck.replace("kind: daily", "kind: checkin"))
    [issue] = load_folder(tmp_path).issues
    assert issue.render() == f"{tmp_path}: there is no daily deck: the bot needs one"


def test_cli_list_and_preview(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMPTS_DIR", str(PROMPTS))
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    trust = next(deck for deck in load_folder(PROMPTS).decks if deck.id == "trust")

    assert main(["prompts", "list", "--deck", "trust"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["ID", "DEPTH", "TEXT"]
    assert lines[1].split()[:2] == [trust.prompts[0].id, str(trust.prompts[0].depth)]
    assert lines[-1] == f"{len(trust.prompts)} questions in 1 deck"

    assert main(["prompts", "list", "--kind", "checkin"]) == 0
    rows = capsys.readouterr().out.splitlines()[1:-1]
    assert rows
    assert all(row.startswith("checkin-") for row in rows)

    assert main(["prompts", "list", "--deck", "nope"]) == 1
    assert "no deck 'nope'" in capsys.readouterr().err

    prompt = trust.prompts[6]
    assert main(["prompts", "preview", prompt.id]) == 0
    out = capsys.readouterr().out
    assert "🕯️ Today's question · Trust\n\n" + prompt.text + "\n\nAnswer here" in out
    assert "<b>" not in out

    assert main(["prompts", "preview", "nope-01"]) == 1
    assert "no question with id 'nope-01'" in capsys.readouterr().err


def test_daily_question_escapes_html() -> None:
    from bot.rounds.question_texts import daily_question

    message = daily_question("Tom & Jerry", "What's <b>bold</b> of you?")
    assert message.startswith("🕯️ <b>Today's question</b> · <i>Tom &amp; Jerry</i>\n\n")
    assert "What&#x27;s &lt;b&gt;bold&lt;/b&gt; of you?" in message
