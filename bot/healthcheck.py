"""`hearth healthcheck`: ask the running bot's /healthz, where the settings say it listens.

The container's HEALTHCHECK runs it, so it reads the same settings as `hearth run`
(environment and `.env`). A wildcard WEBHOOK_LISTEN (0.0.0.0, ::, empty) is asked on
loopback; any other address is asked as it is. With HTTP_PORT=0 the port is chosen at
start, so every port a `hearth` process on this machine listens on is asked (Linux /proc).
"""

from __future__ import annotations

import os
import urllib.request
from pathlib import Path

_WILDCARDS = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}  # noqa: S104
_LISTEN = "0A"  # TCP state LISTEN in /proc/net/tcp


def probe_host(listen: str) -> str:
    host = _WILDCARDS.get(listen.strip(), listen.strip())
    return f"[{host}]" if ":" in host else host


def healthz_urls(listen: str, port: int) -> list[str]:
    host = probe_host(listen)
    ports = [port] if port else listening_ports()
    return [f"http://{host}:{each}/healthz" for each in ports]


def check(listen: str, port: int, timeout: float = 4.0) -> str | None:
    """None when /healthz answered 200; otherwise one line saying what went wrong."""
    urls = healthz_urls(listen, port)
    if not urls:
        return "no hearth process listens on this machine (HTTP_PORT=0)"
    problems = []
    for url in urls:
        try:
            # Only http://host:port/healthz built above; never a proxy for this.
            opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
            with opener.open(url, timeout=timeout) as response:
                if response.status == 200:
                    return None
                problems.append(f"{url} answered {response.status}")
        except OSError as error:
            problems.append(f"{url}: {getattr(error, 'reason', None) or error}")
    return "; ".join(problems)


def listening_ports(proc: Path = Path("/proc")) -> list[int]:
    """TCP ports in LISTEN state held by processes whose command line mentions hearth."""
    inodes: set[str] = set()
    for pid in proc.iterdir():
        if not pid.name.isdigit():
            continue
        try:
            if b"hearth" not in (pid / "cmdline").read_bytes():
                continue
            for fd in (pid / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:["):
                    inodes.add(target[len("socket:[") : -1])
        except OSError:
            continue
    ports: set[int] = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (proc / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == _LISTEN and fields[9] in inodes:
                ports.add(int(fields[1].rsplit(":", 1)[1], 16))
    return sorted(ports)
