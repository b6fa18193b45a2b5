"""What operators copy must work: the Dockerfile's entrypoint and command, and every
`hearth ...` command the README shows, name real `hearth` subcommands."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import tomllib
import zipfile
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parent.parent
# `hearth` run as a command: at the start of a line, after `uv run `, or inside backticks;
# then its words up to the first option, comment or end (`docker run ... hearth` is not).
_COMMAND = re.compile(r"(?:^|`|uv run )hearth((?: [a-z0-9][\w.-]*)+)", re.MULTILINE)


def readme_commands() -> list[list[str]]:
    text = (ROOT / "README.md").read_text()
    found = {tuple(match.group(1).split()) for match in _COMMAND.finditer(text)}
    return [list(words) for words in sorted(found)]


def dockerfile_instruction(name: str) -> list[str]:
    for line in (ROOT / "Dockerfile").read_text().splitlines():
        if line.startswith(f"{name} "):
            value: list[str] = json.loads(line.removeprefix(f"{name} "))
            return value
    raise AssertionError(f"the Dockerfile has no {name} in exec form")


def assert_real_command(words: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main([*words, "--help"])
    assert exit_info.value.code == 0, f"`hearth {' '.join(words)}` is not a hearth command"


def test_the_console_script_is_hearth() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert project["project"]["scripts"]["hearth"] == "bot.cli:main"


def test_dockerfile_entrypoint_and_command_are_real(capsys: pytest.CaptureFixture[str]) -> None:
    assert dockerfile_instruction("ENTRYPOINT") == ["hearth"]
    command = dockerfile_instruction("CMD")
    assert command == ["run"]
    assert_real_command(command)
    assert "HEALTHCHECK" in (ROOT / "Dockerfile").read_text()
    assert "/healthz" in (ROOT / "Dockerfile").read_text()


def test_the_healthcheck_is_hearth_healthcheck() -> None:
    lines = (ROOT / "Dockerfile").read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("HEALTHCHECK"))
    probe = json.loads(lines[start + 1].strip().removeprefix("CMD "))
    assert probe == ["hearth", "healthcheck"]
    assert_real_command(probe[1:])


def test_the_dockerfile_builds_without_buildkit() -> None:
    text = (ROOT / "Dockerfile").read_text()
    assert not text.startswith("# syntax=")
    assert not [line for line in text.splitlines() if line.startswith("RUN --mount")]


def test_image_tags_are_pinned_and_agree() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    compose = (ROOT / "compose.yaml").read_text()
    pythons = set(re.findall(r"FROM (python:\S+)", dockerfile))
    assert len(pythons) == 1
    assert re.fullmatch(r"python:3\.11\.\d+-slim-[a-z]+", pythons.pop())
    assert re.search(r"ghcr\.io/astral-sh/uv:0\.\d+\.\d+ ", dockerfile)
    assert re.search(r"image: postgres:16\.\d+\n", compose)


@pytest.mark.parametrize("words", readme_commands(), ids=" ".join)
def test_readme_commands_are_real(words: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert_real_command(words)


def test_the_readme_shows_the_operator_commands() -> None:
    shown = {words[0] for words in readme_commands()}
    assert {"run", "migrate", "demo", "prompts", "stats", "reencrypt", "newkey"} <= shown


def test_compose_passes_every_setting_on() -> None:
    from bot.config import Settings

    compose = (ROOT / "compose.yaml").read_text()
    missing = [
        name.upper()
        for name in Settings.model_fields
        if not re.search(rf"^    {name.upper()}: ", compose, re.MULTILINE)
    ]
    assert missing == [], f"compose.yaml does not pass these on: {missing}"


def _uv() -> str:
    found = os.environ.get("UV") or shutil.which("uv")
    assert found, "uv runs the test suite, so it is on PATH (or in $UV)"
    return found


@pytest.mark.heavy
def test_the_wheel_migrates_outside_the_repository_and_ships_no_sandbox(tmp_path: Path) -> None:
    """An installed Hearth is the wheel alone: it carries its migrations, leaves the test
    sandbox behind, and `hearth migrate` needs only DATABASE_URL (no token, no checkout)."""
    uv = _uv()
    subprocess.run(
        [uv, "build", "--wheel", "-q", "-o", str(tmp_path / "dist")], cwd=ROOT, check=True
    )
    (wheel,) = (tmp_path / "dist").glob("hearth-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert not [name for name in names if name.startswith("sandbox/") or "/sandbox/" in name]
    assert any(name.startswith("bot/db/migrations/versions/") for name in names)
    assert "bot/db/migrations/script.py.mako" in names

    venv = tmp_path / "venv"
    subprocess.run([uv, "venv", "-q", str(venv)], check=True, cwd=tmp_path)
    python = venv / "bin" / "python"
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python), str(wheel)], check=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    database = elsewhere / "hearth.db"
    environment = {"PATH": os.environ["PATH"], "DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    migrated = subprocess.run(
        [str(venv / "bin" / "hearth"), "migrate"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert migrated.returncode == 0, migrated.stderr
    assert "database is up to date" in migrated.stdout
    tables = {row[0] for row in sqlite3.connect(database).execute("SELECT name FROM sqlite_master")}
    assert {"person", "pair", "round", "answer", "outbox", "checkin"} <= tables

    demo = subprocess.run(
        [str(venv / "bin" / "hearth"), "demo"],
        cwd=elsewhere,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert demo.returncode != 0
    assert "development checkout" in demo.stderr
    assert "Traceback" not in demo.stderr
