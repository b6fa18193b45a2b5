"""What the container relies on: .env.example as it is, a clear stop on an unwritable
database path, and `hearth healthcheck` reading the same settings as `hearth run`."""

from __future__ import annotations

import http.server
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.config import SettingsError, check_database_path
from bot.healthcheck import check, healthz_urls, listening_ports, probe_host

ROOT = Path(__file__).resolve().parent.parent
GOOD_TOKEN = "123456:ABCdefGHIjklMNOpqr"


def _hearth(args: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        cwd=cwd,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "PYTHONPATH": str(ROOT), **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _env_file_from_example(folder: Path, **changes: str) -> None:
    lines = []
    for line in (ROOT / ".env.example").read_text().splitlines():
        name = line.split("=", 1)[0]
        lines.append(f"{name}={changes[name]}" if name in changes else line)
    (folder / ".env").write_text("\n".join(lines) + "\n")


def test_env_example_as_it_is_migrates_into_data(tmp_path: Path) -> None:
    _env_file_from_example(tmp_path, TELEGRAM_BOT_TOKEN=GOOD_TOKEN)
    result = _hearth(["migrate"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "hearth.db").is_file()


def test_an_unwritable_database_path_stops_start_up_with_one_line(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file where the folder should be\n")
    database = tmp_path / "blocker" / "hearth.db"
    result = _hearth(
        ["run"],
        tmp_path,
        TELEGRAM_BOT_TOKEN=GOOD_TOKEN,
        DATABASE_URL=f"sqlite+aiosqlite:///{database}",
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(
        f"hearth: setting DATABASE_URL is invalid: cannot write {database} (not a folder;"
    )


def test_a_folder_of_another_owner_is_named_with_its_owner(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As root every folder is writable, so access() is made to say no, as it would to uid 10001.
    monkeypatch.setattr("bot.config.os.access", lambda _path, _mode: False)
    with pytest.raises(SettingsError) as raised:
        check_database_path(f"sqlite+aiosqlite:///{tmp_path}/hearth.db")
    assert str(raised.value) == (
        f"setting DATABASE_URL is invalid: cannot write {tmp_path}/hearth.db (permission denied; "
        f"{tmp_path} belongs to uid {tmp_path.stat().st_uid}, Hearth runs as uid {os.getuid()})"
    )


@pytest.mark.parametrize(
    "url", ["postgresql+asyncpg://h:p@db/h", "sqlite+aiosqlite:///:memory:", "sqlite+aiosqlite://"]
)
def test_nothing_to_check_for_these(url: str) -> None:
    check_database_path(url)


# --- hearth healthcheck --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("listen", "host"),
    [("0.0.0.0", "127.0.0.1"), ("", "127.0.0.1"), ("::", "[::1]"), ("10.1.2.3", "10.1.2.3")],
)
def test_the_probe_asks_loopback_for_a_wildcard_and_the_address_otherwise(
    listen: str, host: str
) -> None:
    assert probe_host(listen) == host
    assert healthz_urls(listen, 8080) == [f"http://{host}:8080/healthz"]


class _Healthz(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def healthz_port() -> Iterator[int]:
    server = http.server.HTTPServer(("127.0.0.1", 0), _Healthz)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def test_check_answers_none_when_healthz_answers(healthz_port: int) -> None:
    assert check("0.0.0.0", healthz_port) is None
    problem = check("127.0.0.1", healthz_port + 1 if healthz_port < 65535 else 1, timeout=1)
    assert problem is not None
    assert "healthz" in problem


def test_hearth_healthcheck_reads_the_port_from_dot_env(tmp_path: Path, healthz_port: int) -> None:
    _env_file_from_example(
        tmp_path, TELEGRAM_BOT_TOKEN=GOOD_TOKEN, HTTP_PORT=str(healthz_port), WEBHOOK_LISTEN=""
    )
    assert _hearth(["healthcheck"], tmp_path).returncode == 0
    _env_file_from_example(tmp_path, TELEGRAM_BOT_TOKEN=GOOD_TOKEN, HTTP_PORT="1")
    result = _hearth(["healthcheck"], tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("hearth: unhealthy: http://127.0.0.1:1/healthz")
    assert len(result.stderr.strip().splitlines()) == 1


def test_port_zero_finds_the_ports_a_hearth_process_listens_on(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    (proc / "net").mkdir(parents=True)
    for pid, cmdline, inode in [("7", b"/app/.venv/bin/hearth\0run\0", "4242"), ("8", b"x", "99")]:
        (proc / pid / "fd").mkdir(parents=True)
        (proc / pid / "cmdline").write_bytes(cmdline)
        (proc / pid / "fd" / "3").symlink_to(f"socket:[{inode}]")
    header = "sl local_address rem_address st queues tr when retrnsmt uid timeout inode\n"
    row = "{n}: 00000000:{port:04X} 00000000:0000 0A 00000000:00000000 00:0 0 10001 0 {inode}\n"
    (proc / "net" / "tcp").write_text(
        header + row.format(n=0, port=41234, inode=4242) + row.format(n=1, port=5432, inode=99)
    )
    assert listening_ports(proc) == [41234]
