"""The data behind ``/timezone``: IANA zone names, and which countries use which zones.

Zone names come from ``zoneinfo.available_timezones()``. Countries come from the tzdata
tables ``zone.tab`` (one row per country and zone, main zone first; ``zone1970.tab`` if
``zone.tab`` is missing) and ``iso3166.tab`` (country names), read from the ``tzdata``
package, else from the system's ``/usr/share/zoneinfo``. Without either, names, aliases
and cities still match. Loaded once per process (``load_zone_directory`` is cached).
"""

from __future__ import annotations

import functools
import logging
import zoneinfo
from importlib import resources
from pathlib import Path

from timezonefinder import TimezoneFinder

from bot.schedule.zones import ZoneDirectory, ZoneMatch, match_zone

__all__ = [
    "ZoneDirectory",
    "find_zone",
    "load_zone_directory",
    "read_zone_directory",
    "zone_at",
]

log = logging.getLogger(__name__)

SYSTEM_ZONEINFO = Path("/usr/share/zoneinfo")
_PACKAGE = "tzdata.zoneinfo"


def _package_table(name: str) -> str | None:
    try:
        return resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, NotADirectoryError, OSError):
        return None


def _folder_table(folder: Path, name: str) -> str | None:
    try:
        return (folder / name).read_text(encoding="utf-8")
    except OSError:
        return None


def _rows(text: str | None) -> list[list[str]]:
    if not text:
        return []
    return [
        line.rstrip("\n").split("\t")
        for line in text.splitlines()
        if line.strip() and not line.startswith("#")
    ]


def parse_country_zones(zone_tab: str | None, zone1970_tab: str | None) -> dict[str, list[str]]:
    """ISO code -> zones, from zone.tab (``CODE<TAB>coords<TAB>Zone``) or, without it,
    zone1970.tab (``CODE,CODE<TAB>coords<TAB>Zone``)."""
    country_zones: dict[str, list[str]] = {}
    for row in _rows(zone_tab) or _rows(zone1970_tab):
        if len(row) < 3:
            continue
        for code in row[0].split(","):
            if code.strip():
                country_zones.setdefault(code.strip().upper(), []).append(row[2].strip())
    return country_zones


def parse_country_names(iso3166_tab: str | None) -> dict[str, str]:
    """ISO code -> English name, from iso3166.tab (``CODE<TAB>Name``)."""
    return {
        row[0].strip().upper(): row[1].strip()
        for row in _rows(iso3166_tab)
        if len(row) >= 2 and row[0].strip()
    }


def read_zone_directory(folder: Path | None = None) -> ZoneDirectory:
    """Build a directory (uncached). ``folder`` forces the tables from that folder;
    by default the tzdata package is tried first, then the system folder."""

    def table(name: str) -> str | None:
        if folder is not None:
            return _folder_table(folder, name)
        return _package_table(name) or _folder_table(SYSTEM_ZONEINFO, name)

    zones = zoneinfo.available_timezones()
    country_zones = parse_country_zones(table("zone.tab"), table("zone1970.tab"))
    country_names = parse_country_names(table("iso3166.tab"))
    if not country_zones:
        log.warning("no zone.tab found: /timezone will not recognise country names")
    return ZoneDirectory(zones, country_zones, country_names)


@functools.cache
def load_zone_directory() -> ZoneDirectory:
    """The process-wide directory, read once."""
    return read_zone_directory()


def find_zone(query: str) -> ZoneMatch:
    """``match_zone`` against the process-wide directory."""
    return match_zone(query, load_zone_directory())


@functools.cache
def _finder() -> TimezoneFinder:
    # Reads its (bundled, offline) boundary data lazily, from files, not all into memory.
    return TimezoneFinder()


def zone_at(latitude: float, longitude: float, directory: ZoneDirectory) -> str | None:
    """The IANA zone at a place (a shared location), or None at sea or if unknown here.
    Resolved with timezonefinder's maintained boundary data, not a table of our own."""
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return None
    zone = _finder().timezone_at(lng=longitude, lat=latitude)
    if zone is None or zone not in directory.zones or zone.startswith("Etc/"):
        return None
    return zone
