"""Image build step: keep compiled bytecode only for the modules Hearth loads, and drop
fontTools beyond what matplotlib's PNG output loads.

`uv sync --compile-bytecode` compiles every installed module (about 53 MB), most of which
Hearth never imports (fontTools beyond two modules, numpy's and matplotlib's unused parts,
SQLAlchemy's other dialects). The image's virtual environment is read-only at run time, so
a module without bytecode would be compiled on every start; this step therefore exercises
what the bot really does at start-up, in `hearth healthcheck` and when it draws the /trend
chart, and deletes the bytecode of everything else. A module imported later on a rarer
path still works; it is compiled in memory when first imported.

matplotlib imports fontTools (24 MB) only for two small modules on the PNG path Hearth
uses; the rest serves PDF, PostScript and SVG output and font building, so its files go
too (`UNLOADED_FILES_DROPPED`). The chart drawn below proves the PNG path still works.

Run inside the image's build stage: `python scripts/keep_used_bytecode.py /app/.venv`.
"""

from __future__ import annotations

import importlib
import sys
import sysconfig
import tempfile
from datetime import date, timedelta
from pathlib import Path

UNLOADED_FILES_DROPPED = ("fontTools",)


def exercise() -> None:
    """Import what `hearth run`, `hearth migrate` and `hearth healthcheck` import."""
    for module in (
        "bot.cli",
        "bot.app",
        "bot.healthcheck",
        "sqlalchemy.dialects.postgresql.asyncpg",
        "sqlalchemy.dialects.sqlite.aiosqlite",
        "asyncpg",
        "aiosqlite",
        "uvicorn.protocols.http.h11_impl",
        "uvicorn.protocols.websockets.auto",
        "uvicorn.lifespan.on",
        "uvicorn.loops.asyncio",
        "alembic.runtime.migration",
    ):
        importlib.import_module(module)
    from bot.db.migrate import upgrade_to_head  # the migration scripts themselves

    with tempfile.TemporaryDirectory() as folder:
        upgrade_to_head(f"sqlite+aiosqlite:///{folder}/hearth.db")
    from bot.checkins.trend_chart import TrendPoint, render_trend_png

    start = date(2026, 1, 5)
    points = [
        TrendPoint(start + timedelta(weeks=week), 1 + week % 5, 5 - week % 5) for week in range(8)
    ]
    render_trend_png(points, "Ana", "Bo")


def main(venv: Path) -> None:
    exercise()
    loaded = {
        Path(module.__file__).resolve()
        for module in list(sys.modules.values())
        if getattr(module, "__file__", None)
    }
    site = Path(sysconfig.get_paths()["purelib"]).resolve()
    kept = removed = 0
    for cached in venv.resolve().rglob("__pycache__/*.pyc"):
        source = cached.parent.parent / (cached.name.split(".", 1)[0] + ".py")
        if source.resolve() in loaded:
            kept += cached.stat().st_size
            continue
        removed += cached.stat().st_size
        cached.unlink()
    dropped = 0
    for package in UNLOADED_FILES_DROPPED:
        for path in (site / package).rglob("*"):
            if path.is_file() and path.resolve() not in loaded and path.suffix in {".py", ".so"}:
                dropped += path.stat().st_size
                path.unlink()
    print(f"unloaded files of {', '.join(UNLOADED_FILES_DROPPED)}: removed {dropped / 1e6:.1f} MB")
    print(
        f"bytecode: kept {kept / 1e6:.1f} MB for loaded modules, "
        f"removed {removed / 1e6:.1f} MB ({site})"
    )


if __name__ == "__main__":
    main(Path(sys.argv[1]))
