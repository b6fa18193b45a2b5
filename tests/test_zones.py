"""Forgiving /timezone matching, against the real zone data and against small made-up
directories (the matcher is pure)."""

from __future__ import annotations

import zoneinfo
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.schedule.zone_directory import (
    find_zone,
    load_zone_directory,
    parse_country_names,
    parse_country_zones,
    read_zone_directory,
)
from bot.schedule.zones import (
    MAX_CANDIDATES,
    ZoneDirectory,
    ZoneMatch,
    ZoneMatchKind,
    match_zone,
    normalize,
)

US_MAIN = ["America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles"]


@pytest.fixture(scope="module")
def directory() -> ZoneDirectory:
    return load_zone_directory()


def check(found: ZoneMatch, directory: ZoneDirectory) -> None:
    """What every answer promises, whatever the query."""
    assert len(found.candidates) <= MAX_CANDIDATES
    assert len(set(found.candidates)) == len(found.candidates)
    assert all(zone in directory.zones for zone in found.candidates)
    if found.zone is not None:
        assert found.zone in directory.zones
        assert found.candidates[0] == found.zone
        assert found.kind not in (ZoneMatchKind.AMBIGUOUS, ZoneMatchKind.UNKNOWN)
        zoneinfo.ZoneInfo(found.zone)  # loads
    else:
        assert found.kind in (ZoneMatchKind.AMBIGUOUS, ZoneMatchKind.UNKNOWN)
        if found.kind is ZoneMatchKind.AMBIGUOUS:
            assert len(found.candidates) >= 2


@pytest.mark.parametrize(
    ("query", "zone", "kind"),
    [
        # IANA names, any case, spaces or underscores
        ("Europe/Berlin", "Europe/Berlin", "exact"),
        ("europe/berlin", "Europe/Berlin", "exact"),
        ("America/New York", "America/New_York", "exact"),
        ("america / new_york", "America/New_York", "exact"),
        ("AMERICA/ARGENTINA/BUENOS_AIRES", "America/Argentina/Buenos_Aires", "exact"),
        ("Etc/GMT+5", "Etc/GMT+5", "exact"),
        # cities
        ("berlin", "Europe/Berlin", "city"),
        ("  Berlin  ", "Europe/Berlin", "city"),
        ("new york", "America/New_York", "city"),
        ("New-York", "America/New_York", "city"),
        ("sao paulo", "America/Sao_Paulo", "city"),
        ("são paulo", "America/Sao_Paulo", "city"),
        ("SÃO PAULO", "America/Sao_Paulo", "city"),
        ("ho chi minh", "Asia/Ho_Chi_Minh", "city"),
        ("London", "Europe/London", "city"),
        ("Buenos Aires", "America/Argentina/Buenos_Aires", "city"),
        ("Indianapolis", "America/Indiana/Indianapolis", "city"),
        ("Lord Howe", "Australia/Lord_Howe", "city"),
        ("Port-au-Prince", "America/Port-au-Prince", "city"),
        ("st johns", "America/St_Johns", "city"),
        # countries and ISO codes
        ("Germany", "Europe/Berlin", "country"),
        ("de", "Europe/Berlin", "country"),
        ("DE", "Europe/Berlin", "country"),
        ("Japan", "Asia/Tokyo", "country"),
        ("jp", "Asia/Tokyo", "country"),
        ("United Kingdom", "Europe/London", "country"),
        ("UK", "Europe/London", "country"),
        ("Britain", "Europe/London", "country"),
        ("Spain", "Europe/Madrid", "country"),
        ("es", "Europe/Madrid", "country"),
        ("France", "Europe/Paris", "country"),
        ("India", "Asia/Kolkata", "country"),
        ("China", "Asia/Shanghai", "country"),
        ("New Zealand", "Pacific/Auckland", "country"),
        ("Portugal", "Europe/Lisbon", "country"),
        ("Côte d’Ivoire", "Africa/Abidjan", "country"),
        ("cote d'ivoire", "Africa/Abidjan", "country"),
        ("Myanmar", "Asia/Yangon", "country"),
        ("Bosnia and Herzegovina", "Europe/Sarajevo", "country"),
        ("South Korea", "Asia/Seoul", "country"),
        ("Saint Lucia", "America/St_Lucia", "country"),
        # aliases
        ("UTC", "UTC", "alias"),
        ("utc", "UTC", "alias"),
        ("GMT", "Etc/GMT", "alias"),
        ("NYC", "America/New_York", "alias"),
        ("LA", "America/Los_Angeles", "alias"),
        ("SF", "America/Los_Angeles", "alias"),
        ("San Francisco", "America/Los_Angeles", "alias"),
        ("Kyiv", "Europe/Kyiv", "alias"),
        ("Kiev", "Europe/Kyiv", "alias"),
        ("Bombay", "Asia/Kolkata", "alias"),
        ("Mumbai", "Asia/Kolkata", "alias"),
        ("Calcutta", "Asia/Kolkata", "alias"),
        ("Peking", "Asia/Shanghai", "alias"),
        ("Beijing", "Asia/Shanghai", "alias"),
        ("Saigon", "Asia/Ho_Chi_Minh", "alias"),
        ("EST", "America/New_York", "alias"),
        ("pst", "America/Los_Angeles", "alias"),
        # UTC offsets (POSIX names invert the sign)
        ("UTC+2", "Etc/GMT-2", "alias"),
        ("utc +02:00", "Etc/GMT-2", "alias"),
        ("GMT-5", "Etc/GMT+5", "alias"),
        ("+3", "Etc/GMT-3", "alias"),
        ("UTC+0", "UTC", "alias"),
        ("UTC+14", "Etc/GMT-14", "alias"),
        # parts and decorations
        ("Berlin, Germany", "Europe/Berlin", "city"),
        ("Germany, Berlin", "Europe/Berlin", "country"),
        ("Paris France", "Europe/Paris", "city"),
        ("berlin time", "Europe/Berlin", "city"),
        ("Chicago, USA", "America/Chicago", "city"),
        # small typos
        ("Berln", "Europe/Berlin", "city"),
        ("londn", "Europe/London", "city"),
        ("Amsterdm", "Europe/Amsterdam", "city"),
        ("new yrok", "America/New_York", "city"),
        ("Europe/Berln", "Europe/Berlin", "city"),
        ("Germny", "Europe/Berlin", "country"),
    ],
)
def test_resolved(query: str, zone: str, kind: str, directory: ZoneDirectory) -> None:
    found = match_zone(query, directory)
    assert found.zone == zone
    assert found.kind == kind
    check(found, directory)


def test_germany_offers_busingen_after_berlin(directory: ZoneDirectory) -> None:
    found = match_zone("Germany", directory)
    assert found.candidates == ["Europe/Berlin", "Europe/Busingen"]


@pytest.mark.parametrize(
    ("query", "first", "including"),
    [
        ("USA", "America/New_York", US_MAIN),
        ("us", "America/New_York", US_MAIN),
        ("United States", "America/New_York", US_MAIN),
        ("Russia", "Europe/Moscow", ["Asia/Vladivostok"]),
        ("Canada", "America/Toronto", ["America/Vancouver"]),
        ("Brazil", "America/Sao_Paulo", ["America/Manaus"]),
        ("Australia", "Australia/Sydney", ["Australia/Perth", "Australia/Brisbane"]),
        ("Mexico", "America/Mexico_City", ["America/Tijuana"]),
        ("Indonesia", "Asia/Jakarta", ["Asia/Jayapura"]),
        ("Congo", "Africa/Kinshasa", ["Africa/Brazzaville"]),
        ("Palestine", "Asia/Gaza", ["Asia/Hebron"]),
    ],
)
def test_ambiguous_countries(
    query: str, first: str, including: list[str], directory: ZoneDirectory
) -> None:
    found = match_zone(query, directory)
    assert found.zone is None
    assert found.kind == "ambiguous"
    assert found.candidates[0] == first
    assert set(including) <= set(found.candidates)
    check(found, directory)


def test_unknown_with_suggestions(directory: ZoneDirectory) -> None:
    found = match_zone("tokio", directory)  # too far for a sure match
    assert found.zone is None
    assert found.kind == "unknown"
    assert found.candidates[0] == "Asia/Tokyo"
    portland = match_zone("Portland", directory)  # close to "Poland", but not taken as it
    assert portland.zone is None
    check(portland, directory)


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "x" * 4096,
        "🙂",
        "🙂" * 2000,
        "'; DROP TABLE pairs; --",
        "Robert'); DELETE FROM people;--",
        "<b>berlin</b>?",
        "\x00\x01\x02",
        "../../etc/passwd",
        "UTC-13",  # an offset no zone has: no guessing
        "+5:30",
        "asdfghjkl",
        "/",
        ",,,",
        "\u202eberlin",
    ],
)
def test_junk_never_raises(query: str, directory: ZoneDirectory) -> None:
    found = match_zone(query, directory)
    check(found, directory)
    if query.strip() in ("", "x" * 4096, "UTC-13", "/", ",,,"):
        assert found == ZoneMatch(None, [], ZoneMatchKind.UNKNOWN)


def test_long_input_is_truncated_before_matching(directory: ZoneDirectory) -> None:
    assert match_zone("Berlin" + " " * 5000 + "x", directory).zone == "Europe/Berlin"
    assert match_zone("Berlin" + "x" * 5000, directory).zone is None


@settings(max_examples=150, deadline=None)
@given(query=st.text(max_size=120))
def test_property_any_text_gives_a_well_formed_answer(query: str, directory: ZoneDirectory) -> None:
    check(match_zone(query, directory), directory)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_property_every_listed_zone_matches_itself_exactly(
    data: st.DataObject, directory: ZoneDirectory
) -> None:
    listed = sorted(z for zones in directory.country_zones.values() for z in zones)
    zone = data.draw(st.sampled_from(listed))
    variant = data.draw(st.sampled_from([zone, zone.lower(), zone.upper(), zone.replace("_", " ")]))
    found = match_zone(variant, directory)
    assert (found.zone, found.kind) == (zone, ZoneMatchKind.EXACT)


def test_normalize() -> None:
    assert normalize("  São_Paulo ") == "sao paulo"
    assert normalize("America / New_York") == "america/new york"
    assert normalize("Antigua & Barbuda") == "antigua and barbuda"
    assert normalize("Côte d’Ivoire") == "cote divoire"
    assert normalize("x" * 5000) == "x" * 100


# --- the pure matcher on made-up data --------------------------------------------------


def small_directory() -> ZoneDirectory:
    return ZoneDirectory(
        zones=["Europe/Berlin", "Europe/Busingen", "Europe/Kiev", "Asia/Tokyo", "UTC"],
        country_zones={"DE": ["Europe/Berlin", "Europe/Busingen"], "jp": ["Asia/Tokyo"]},
        country_names={"DE": "Germany", "JP": "Japan"},
    )


def test_pure_matcher_on_small_data() -> None:
    small = small_directory()
    assert match_zone("germany", small).zone == "Europe/Berlin"
    assert match_zone("JP", small).zone == "Asia/Tokyo"
    # an older tzdata without Europe/Kyiv: the alias falls back to Europe/Kiev
    assert match_zone("Kyiv", small).zone == "Europe/Kiev"
    # aliases for zones this data lacks are simply not offered
    assert match_zone("NYC", small) == ZoneMatch(None, [], ZoneMatchKind.UNKNOWN)
    # no country data for the US: not guessed
    assert match_zone("USA", small).zone is None


def test_matcher_without_country_data_still_finds_names_and_cities() -> None:
    bare = ZoneDirectory(["Europe/Berlin", "America/New_York", "US/Eastern", "Etc/GMT-2"])
    assert match_zone("berlin", bare).zone == "Europe/Berlin"
    assert match_zone("new york", bare).kind == "city"
    assert match_zone("US/Eastern", bare).zone == "US/Eastern"
    assert match_zone("eastern", bare).zone == "America/New_York"  # an alias, not "US/"
    assert match_zone("Germany", bare).zone is None


def test_duplicate_city_names_are_ambiguous() -> None:
    twins = ZoneDirectory(
        ["America/Springfield", "Australia/Springfield"],
        {"US": ["America/Springfield"], "AU": ["Australia/Springfield"]},
    )
    found = match_zone("springfield", twins)
    assert found.kind == "ambiguous"
    assert found.candidates == ["America/Springfield", "Australia/Springfield"]


# --- the service: loading the data ----------------------------------------------------


def test_load_is_cached_and_complete() -> None:
    first = load_zone_directory()
    assert load_zone_directory() is first
    assert "Europe/Berlin" in first.zones
    assert first.country_names["DE"] == "Germany"
    assert first.country_zones["DE"][0] == "Europe/Berlin"
    assert len(first.country_zones) > 200
    assert find_zone("berlin").zone == "Europe/Berlin"


def test_read_from_a_folder(tmp_path: Path) -> None:
    (tmp_path / "zone.tab").write_text(
        "# comment\nDE\t+5230+01322\tEurope/Berlin\tmost of Germany\n"
        "DE\t+4742+00841\tEurope/Busingen\tBusingen\n",
        encoding="utf-8",
    )
    (tmp_path / "iso3166.tab").write_text("# c\nDE\tGermany\n", encoding="utf-8")
    loaded = read_zone_directory(tmp_path)
    assert loaded.country_zones == {"DE": ("Europe/Berlin", "Europe/Busingen")}
    assert match_zone("Germany", loaded).zone == "Europe/Berlin"


def test_read_from_an_empty_folder_still_matches_names(tmp_path: Path) -> None:
    loaded = read_zone_directory(tmp_path)
    assert loaded.country_zones == {}
    assert match_zone("Europe/Berlin", loaded).zone == "Europe/Berlin"
    assert match_zone("berlin", loaded).zone == "Europe/Berlin"


def test_system_folder_fallback_when_present() -> None:
    system = Path("/usr/share/zoneinfo")
    if not (system / "zone.tab").exists():
        pytest.skip("no system zoneinfo tables here")
    loaded = read_zone_directory(system)
    assert match_zone("Germany", loaded).zone == "Europe/Berlin"


def test_parse_tables() -> None:
    zones = parse_country_zones(None, "# c\nCH,DE,LI\t+4723+00832\tEurope/Zurich\n")
    assert zones == {"CH": ["Europe/Zurich"], "DE": ["Europe/Zurich"], "LI": ["Europe/Zurich"]}
    zone_tab = "DE\t+5230+01322\tEurope/Berlin\n"
    assert parse_country_zones(zone_tab, "CH,DE\tx\tEurope/Zurich\n") == {"DE": ["Europe/Berlin"]}
    assert parse_country_names("GB\tBritain (UK)\nbad line\n") == {"GB": "Britain (UK)"}
    assert parse_country_zones("", None) == {}
