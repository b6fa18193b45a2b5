"""Settings: .env.example stays in step with the Settings class; bad settings stop
start-up with one clear line and exit code 2."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import Settings, SettingsError, load_settings

ROOT = Path(__file__).resolve().parent.parent
GOOD_TOKEN = "123456:ABCdefGHIjklMNOpqr"


def example_names() -> list[str]:
    lines = (ROOT / ".env.example").read_text().splitlines()
    return [line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z_]+=", line)]


def test_env_example_lists_every_setting_once_with_a_comment() -> None:
    names = example_names()
    assert sorted(names) == sorted(name.upper() for name in Settings.model_fields)
    assert len(names) == len(set(names))
    lines = (ROOT / ".env.example").read_text().splitlines()
    for index, line in enumerate(lines):
        if re.match(r"^[A-Z_]+=", line):
            assert lines[index - 1].startswith("# "), f"{line} needs a one-line comment above"


def test_env_example_values_are_valid_settings() -> None:
    values = {}
    for line in (ROOT / ".env.example").read_text().splitlines():
        if re.match(r"^[A-Z_]+=", line):
            name, value = line.split("=", 1)
            values[name.lower()] = value
    values["telegram_bot_token"] = GOOD_TOKEN
    settings = Settings(_env_file=None, **values)  # type: ignore[arg-type]
    assert settings.invite_ttl_hours == 48


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.database_url == "sqlite+aiosqlite:///data/hearth.db"
    assert settings.bot_base_url == "https://api.telegram.org/bot"
    assert settings.bot_base_file_url == "https://api.telegram.org/file/bot"
    assert settings.default_prompt_time.hour == 20


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "setting TELEGRAM_BOT_TOKEN is missing"),
        ({"TELEGRAM_BOT_TOKEN": "nope"}, "setting TELEGRAM_BOT_TOKEN is invalid"),
        ({"INVITE_TTL_HOURS": "soon"}, "setting INVITE_TTL_HOURS is invalid"),
        ({"DEFAULT_TIMEZONE": "Mars/Base"}, "setting DEFAULT_TIMEZONE is invalid"),
        ({"DATABASE_URL": "mysql://x"}, "setting DATABASE_URL is invalid"),
        ({"ADMIN_USER_IDS": "12,abc"}, "setting ADMIN_USER_IDS is invalid"),
        ({"DEFAULT_PROMPT_TIME": "25:99"}, "setting DEFAULT_PROMPT_TIME is invalid"),
    ],
)
def test_bad_settings_are_named_in_one_line(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str
) -> None:
    monkeypatch.chdir(ROOT / "tests")  # no .env here
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    if "TELEGRAM_BOT_TOKEN" not in env and env:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_admin_ids_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", GOOD_TOKEN)
    monkeypatch.setenv("ADMIN_USER_IDS", "12, 34")
    assert load_settings(_env_file=None).admin_user_ids == frozenset({12, 34})


def test_hearth_run_without_token_exits_2_with_one_line(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run(
        [sys.executable, "-m", "bot.cli", "run"],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "hearth: setting TELEGRAM_BOT_TOKEN is missing: set it in the environment or in .env"
    )
    assert "Traceback" not in result.stderr
