"""Forgiving time zone matching for ``/timezone <text>``.

Pure: the caller builds a ``ZoneDirectory`` from the zone data (see
``bot.schedule.zone_directory``) and passes it in. What a person may type, in the order it
is tried:

1. a UTC offset: ``UTC+2``, ``GMT-5``, ``+3`` (a fixed ``Etc/GMT...`` zone, no DST);
2. a common alias: ``UTC``, ``GMT``, ``NYC``, ``LA``, ``SF``, ``Kiev``, ``Bombay``,
   ``Peking``, ``EST``, ``PST``...;
3. an IANA name, any case, spaces or underscores: ``europe/berlin``, ``America/New York``;
4. a country name or ISO code: ``Germany``, ``de``, ``United Kingdom``, ``UK``, ``USA``.
   A country with one zone, or with a clearly main one, gives that zone; a big country
   spread over several zones (USA, Canada, Russia, Brazil, Australia...) gives candidates;
5. a city, the last part of a zone name: ``berlin``, ``new york``, ``são paulo``;
6. a legacy one-word zone name (``Zulu``, ``EST5EDT``);
7. the parts of ``Berlin, Germany`` or ``Europe/Berln`` one by one;
8. a small typo (``Berln``): one clearly close name gives its zone, several give candidates.

Case, accents, underscores, hyphens and dots do not matter. Junk never raises: it is
``unknown``. Long input is cut to ``MAX_QUERY_CHARS`` before anything else.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

MAX_QUERY_CHARS = 100
MAX_CANDIDATES = 6
_MAX_FUZZY_CHARS = 40
_CLOSE_CUTOFF = 0.87  # one name this close is taken as meant ("Berln"; not "Portland")
_SUGGEST_CUTOFF = 0.6  # names this close are offered as "did you mean"


class ZoneMatchKind(StrEnum):
    EXACT = "exact"
    CITY = "city"
    COUNTRY = "country"
    ALIAS = "alias"
    AMBIGUOUS = "ambiguous"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class ZoneMatch:
    """The answer to a query.

    ``zone`` is the IANA name to use, or None when the query was ambiguous or unknown.
    ``candidates`` (at most ``MAX_CANDIDATES``) is what to offer in a "did you mean" reply:
    the likely zones, best first, when ``zone`` is None; when ``zone`` is set it starts with
    ``zone`` and may list alternatives (a country's other zones).
    """

    zone: str | None
    candidates: list[str] = field(default_factory=list)
    kind: ZoneMatchKind = ZoneMatchKind.UNKNOWN


UNKNOWN = ZoneMatch(None, [], ZoneMatchKind.UNKNOWN)

# Aliases that name one zone. The first name the directory knows is used (so a newer
# tzdata's "Europe/Kyiv" and an older one's "Europe/Kiev" both work).
ZONE_ALIASES: dict[str, tuple[str, ...]] = {
    "utc": ("UTC", "Etc/UTC"),
    "z": ("UTC", "Etc/UTC"),
    "zulu": ("UTC", "Etc/UTC"),
    "universal": ("UTC", "Etc/UTC"),
    # GMT is taken literally: UTC+0 all year (UK time in summer is "London" or "UK").
    "gmt": ("Etc/GMT", "GMT", "UTC"),
    "nyc": ("America/New_York",),
    "new york city": ("America/New_York",),
    "washington": ("America/New_York",),
    "washington dc": ("America/New_York",),
    "dc": ("America/New_York",),
    "boston": ("America/New_York",),
    "miami": ("America/New_York",),
    "atlanta": ("America/New_York",),
    "philadelphia": ("America/New_York",),
    "la": ("America/Los_Angeles",),
    "sf": ("America/Los_Angeles",),
    "san francisco": ("America/Los_Angeles",),
    "seattle": ("America/Los_Angeles",),
    "las vegas": ("America/Los_Angeles",),
    "san diego": ("America/Los_Angeles",),
    "houston": ("America/Chicago",),
    "dallas": ("America/Chicago",),
    "austin": ("America/Chicago",),
    "montreal": ("America/Toronto",),
    "ottawa": ("America/Toronto",),
    "rio": ("America/Sao_Paulo",),
    "rio de janeiro": ("America/Sao_Paulo",),
    "kiev": ("Europe/Kyiv", "Europe/Kiev"),
    "kyiv": ("Europe/Kyiv", "Europe/Kiev"),
    "bombay": ("Asia/Kolkata", "Asia/Calcutta"),
    "mumbai": ("Asia/Kolkata", "Asia/Calcutta"),
    "calcutta": ("Asia/Kolkata", "Asia/Calcutta"),
    "delhi": ("Asia/Kolkata", "Asia/Calcutta"),
    "new delhi": ("Asia/Kolkata", "Asia/Calcutta"),
    "bangalore": ("Asia/Kolkata", "Asia/Calcutta"),
    "bengaluru": ("Asia/Kolkata", "Asia/Calcutta"),
    "chennai": ("Asia/Kolkata", "Asia/Calcutta"),
    "madras": ("Asia/Kolkata", "Asia/Calcutta"),
    "peking": ("Asia/Shanghai",),
    "beijing": ("Asia/Shanghai",),
    "shenzhen": ("Asia/Shanghai",),
    "guangzhou": ("Asia/Shanghai",),
    "saigon": ("Asia/Ho_Chi_Minh", "Asia/Saigon"),
    "hcmc": ("Asia/Ho_Chi_Minh", "Asia/Saigon"),
    "hanoi": ("Asia/Bangkok",),
    "rangoon": ("Asia/Yangon", "Asia/Rangoon"),
    "katmandu": ("Asia/Kathmandu", "Asia/Katmandu"),
    "st petersburg": ("Europe/Moscow",),
    "saint petersburg": ("Europe/Moscow",),
    "munich": ("Europe/Berlin",),
    "frankfurt": ("Europe/Berlin",),
    "hamburg": ("Europe/Berlin",),
    "cologne": ("Europe/Berlin",),
    "barcelona": ("Europe/Madrid",),
    "milan": ("Europe/Rome",),
    "geneva": ("Europe/Zurich",),
    "tel aviv": ("Asia/Jerusalem",),
    "cape town": ("Africa/Johannesburg",),
    "osaka": ("Asia/Tokyo",),
    # Abbreviations people use for the time where they live, with its DST.
    "est": ("America/New_York",),
    "edt": ("America/New_York",),
    "eastern": ("America/New_York",),
    "cst": ("America/Chicago",),
    "cdt": ("America/Chicago",),
    "central": ("America/Chicago",),
    "mst": ("America/Denver",),
    "mdt": ("America/Denver",),
    "mountain": ("America/Denver",),
    "pst": ("America/Los_Angeles",),
    "pdt": ("America/Los_Angeles",),
    "pacific": ("America/Los_Angeles",),
    "bst": ("Europe/London",),
    "cet": ("Europe/Berlin",),
    "cest": ("Europe/Berlin",),
    "ist": ("Asia/Kolkata", "Asia/Calcutta"),
    "jst": ("Asia/Tokyo",),
    "msk": ("Europe/Moscow",),
    "aest": ("Australia/Sydney",),
    "aedt": ("Australia/Sydney",),
}

# Names (normalised) for countries beyond iso3166.tab's spelling, to ISO codes.
COUNTRY_ALIASES: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "america": "US",
    "united states of america": "US",
    "the united states": "US",
    "uk": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "northern ireland": "GB",
    "south korea": "KR",
    "korea": "KR",
    "republic of korea": "KR",
    "north korea": "KP",
    "czechia": "CZ",
    "holland": "NL",
    "the netherlands": "NL",
    "uae": "AE",
    "emirates": "AE",
    "russian federation": "RU",
    "ivory coast": "CI",
    "burma": "MM",
    "swaziland": "SZ",
    "macedonia": "MK",
    "vatican": "VA",
    "samoa": "WS",
    "american samoa": "AS",
    "dr congo": "CD",
    "drc": "CD",
    "democratic republic of the congo": "CD",
    "republic of the congo": "CG",
    "timor leste": "TL",
    "turkiye": "TR",
    "cabo verde": "CV",
}

# Countries with several zones where one is clearly where most people live: that one,
# as the answer (first name the directory knows).
PRINCIPAL_ZONES: dict[str, tuple[str, ...]] = {
    "DE": ("Europe/Berlin",),
    "ES": ("Europe/Madrid",),
    "PT": ("Europe/Lisbon",),
    "NZ": ("Pacific/Auckland",),
    "CN": ("Asia/Shanghai",),
    "UA": ("Europe/Kyiv", "Europe/Kiev"),
    "CL": ("America/Santiago",),
    "EC": ("America/Guayaquil",),
    "AR": ("America/Argentina/Buenos_Aires", "America/Buenos_Aires"),
    "MY": ("Asia/Kuala_Lumpur",),
    "CY": ("Asia/Nicosia",),
    "UZ": ("Asia/Tashkent",),
    "PG": ("Pacific/Port_Moresby",),
    "MN": ("Asia/Ulaanbaatar", "Asia/Ulan_Bator"),
    "GL": ("America/Nuuk", "America/Godthab"),
    "KZ": ("Asia/Almaty",),
    "MH": ("Pacific/Majuro",),
    "PF": ("Pacific/Tahiti",),
    "FM": ("Pacific/Pohnpei", "Pacific/Ponape"),
}

# Big countries spread over zones in daily use: no single answer; these are offered, in
# this order. Others with several zones offer them in zone.tab order.
MAIN_ZONES: dict[str, tuple[str, ...]] = {
    "US": (
        "America/New_York",
        "America/Chicago",
        "America/Denver",
        "America/Los_Angeles",
        "America/Phoenix",
        "Pacific/Honolulu",
    ),
    "CA": (
        "America/Toronto",
        "America/Vancouver",
        "America/Edmonton",
        "America/Winnipeg",
        "America/Halifax",
        "America/St_Johns",
    ),
    "RU": (
        "Europe/Moscow",
        "Europe/Kaliningrad",
        "Asia/Yekaterinburg",
        "Asia/Novosibirsk",
        "Asia/Krasnoyarsk",
        "Asia/Vladivostok",
    ),
    "BR": (
        "America/Sao_Paulo",
        "America/Manaus",
        "America/Cuiaba",
        "America/Rio_Branco",
        "America/Noronha",
    ),
    "AU": (
        "Australia/Sydney",
        "Australia/Melbourne",
        "Australia/Brisbane",
        "Australia/Adelaide",
        "Australia/Perth",
        "Australia/Darwin",
    ),
    "MX": (
        "America/Mexico_City",
        "America/Tijuana",
        "America/Cancun",
        "America/Hermosillo",
        "America/Chihuahua",
        "America/Mazatlan",
    ),
    "ID": ("Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura", "Asia/Pontianak"),
}

# Old area names that are not places ("US/Eastern", "Etc/GMT+5"): kept for exact matches,
# left out of the city index.
_NOT_CITY_AREAS = frozenset(
    {"etc", "us", "brazil", "canada", "chile", "mexico", "systemv"},
)
_SUFFIXES = (" time zone", " timezone", " time", " tz")
_OFFSET = re.compile(r"(?:utc|gmt)?(?P<sign>[+\-−])(?P<hours>[0-9]{1,2})(?::?00)?")


def normalize(text: str) -> str:
    """Lower case, accents stripped, ``_ - . , ( )`` and runs of spaces as one space, no
    spaces around ``/``; ``&`` as ``and``; apostrophes dropped."""
    decomposed = unicodedata.normalize("NFKD", text[:MAX_QUERY_CHARS])
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    plain = plain.replace("&", " and ")
    plain = re.sub(r"['’`ʼ]", "", plain)
    plain = re.sub(r"[\s_.,()\-]+", " ", plain)
    plain = re.sub(r"\s*/\s*", "/", plain)
    return plain.strip()


def _first_known(names: Iterable[str], zones: frozenset[str]) -> str | None:
    return next((name for name in names if name in zones), None)


class ZoneDirectory:
    """Zone data with the indexes the matcher needs, built once.

    ``zones``: every IANA name that may be answered (e.g. ``zoneinfo.available_timezones()``).
    ``country_zones``: ISO 3166 code to that country's zones, main one first where the
    data has an order (``zone.tab`` order). ``country_names``: ISO code to English name
    (``iso3166.tab``). Without country data only names, aliases and cities match.
    """

    def __init__(
        self,
        zones: Iterable[str],
        country_zones: Mapping[str, Sequence[str]] | None = None,
        country_names: Mapping[str, str] | None = None,
    ) -> None:
        self.zones: frozenset[str] = frozenset(zones)
        self.country_zones: dict[str, tuple[str, ...]] = {
            code.upper(): tuple(dict.fromkeys(z for z in names if z in self.zones))
            for code, names in (country_zones or {}).items()
        }
        self.country_names: dict[str, str] = {
            code.upper(): name for code, name in (country_names or {}).items()
        }
        self._exact: dict[str, str] = {}
        self._legacy: dict[str, str] = {}
        for zone in sorted(self.zones):
            index = self._exact if "/" in zone else self._legacy
            index.setdefault(normalize(zone), zone)
        self._aliases: dict[str, str] = {}
        for alias, names in ZONE_ALIASES.items():
            found = _first_known(names, self.zones)
            if found is not None:
                self._aliases[alias] = found
        self._shared_names: dict[str, tuple[str, ...]] = {}
        self._countries = self._country_index()
        self._cities = self._city_index()
        self._fuzzy = self._fuzzy_index()

    def _country_index(self) -> dict[str, str]:
        """Normalised country name (or alias) to ISO code."""
        index: dict[str, str] = {}
        bases: dict[str, set[str]] = {}
        for code, name in self.country_names.items():
            full = normalize(name)
            index.setdefault(full, code)
            if full.startswith("st "):
                index.setdefault("saint " + full[3:], code)
            # "Myanmar (Burma)" also answers to "Myanmar"; "Korea (South)" and
            # "Korea (North)" share "Korea", which is left to COUNTRY_ALIASES.
            base = normalize(re.sub(r"\(.*?\)", " ", name))
            if base and base != full:
                bases.setdefault(base, set()).add(code)
        for base, codes in bases.items():
            if base in index:
                continue
            if len(codes) == 1:
                index[base] = next(iter(codes))
            else:  # "Congo": both Congos' zones are offered
                self._shared_names[base] = tuple(sorted(codes))
        known = set(self.country_names) | set(self.country_zones)
        for alias, code in COUNTRY_ALIASES.items():
            if code in known:
                index[alias] = code
        return index

    def _city_index(self) -> dict[str, list[str]]:
        """Normalised city (last part of a zone name) to zones. Cities come from the
        zones countries use, so "Calcutta" does not shadow "Kolkata"; without country
        data from every zone with an area."""
        listed = sorted({z for zones in self.country_zones.values() for z in zones})
        if not listed:
            listed = sorted(
                z for z in self.zones if "/" in z and z.split("/")[0].lower() not in _NOT_CITY_AREAS
            )
        index: dict[str, list[str]] = {}
        for zone in listed:
            city = normalize(zone.rsplit("/", 1)[1])
            if city:
                index.setdefault(city, []).append(zone)
        return index

    def _fuzzy_index(self) -> dict[str, ZoneMatch]:
        """Names worth a typo match (at least four letters), to what they answer."""
        index: dict[str, ZoneMatch] = {}
        for alias in self._aliases:
            if len(alias) >= 4:
                index[alias] = self._alias_match(alias)
        for name, code in self._countries.items():
            found = self._country_match(code)
            if len(name) >= 4 and found is not None:
                index.setdefault(name, found)
        for name in self._shared_names:
            found = self._shared_match(name)
            if len(name) >= 4 and found is not None:
                index.setdefault(name, found)
        for city in self._cities:
            if len(city) >= 4:
                found = self._city_match(city)
                if found is not None:
                    index[city] = found
        return index

    # --- single lookups (the query already normalised) ---------------------------------

    def _alias_match(self, text: str) -> ZoneMatch:
        zone = self._aliases[text]
        return ZoneMatch(zone, [zone], ZoneMatchKind.ALIAS)

    def country_match(self, code: str) -> ZoneMatch | None:
        """A country's zone by ISO code (its main one where it has several), as /timezone
        with the country's name would answer."""
        return self._country_match(code.upper())

    def _country_match(self, code: str) -> ZoneMatch | None:
        zones = self.country_zones.get(code, ())
        principal = _first_known(PRINCIPAL_ZONES.get(code, ()), self.zones)
        if principal is not None:
            others = [z for z in zones if z != principal]
            return ZoneMatch(
                principal, [principal, *others][:MAX_CANDIDATES], ZoneMatchKind.COUNTRY
            )
        if len(zones) == 1:
            return ZoneMatch(zones[0], [zones[0]], ZoneMatchKind.COUNTRY)
        main = [z for z in MAIN_ZONES.get(code, ()) if z in self.zones]
        offered = list(dict.fromkeys([*main, *zones]))
        if not offered:
            return None
        if len(offered) == 1:
            return ZoneMatch(offered[0], offered, ZoneMatchKind.COUNTRY)
        return ZoneMatch(None, offered[:MAX_CANDIDATES], ZoneMatchKind.AMBIGUOUS)

    def _shared_match(self, text: str) -> ZoneMatch | None:
        codes = self._shared_names.get(text, ())
        zones: dict[str, None] = {}
        for code in codes:
            found = self._country_match(code)
            if found is not None:
                zones.update(dict.fromkeys(found.candidates))
        if not zones:
            return None
        return ZoneMatch(None, list(zones)[:MAX_CANDIDATES], ZoneMatchKind.AMBIGUOUS)

    def _city_match(self, text: str) -> ZoneMatch | None:
        zones = self._cities.get(text)
        if not zones:
            return None
        if len(zones) == 1:
            return ZoneMatch(zones[0], [zones[0]], ZoneMatchKind.CITY)
        return ZoneMatch(None, zones[:MAX_CANDIDATES], ZoneMatchKind.AMBIGUOUS)

    def offset_match(self, query: str) -> ZoneMatch | None:
        """A fixed UTC offset in whole hours: ``UTC+2``, ``gmt-5``, ``+3``, ``UTC+02:00``.
        None if ``query`` is not an offset; ``UNKNOWN`` for one no zone has (``UTC-13``)."""
        found = _OFFSET.fullmatch("".join(query.casefold().split()))
        if found is None:
            return None
        hours = int(found["hours"])
        if hours > 14:
            return UNKNOWN
        if hours == 0:
            zone = _first_known(("UTC", "Etc/UTC", "Etc/GMT"), self.zones)
        else:
            # POSIX-style names invert the sign: UTC+2 is "Etc/GMT-2".
            inverted = "-" if found["sign"] == "+" else "+"
            zone = _first_known((f"Etc/GMT{inverted}{hours}",), self.zones)
        if zone is None:
            return UNKNOWN  # an offset, but not one any zone has: do not guess further
        return ZoneMatch(zone, [zone], ZoneMatchKind.ALIAS)

    def lookup(self, text: str) -> ZoneMatch | None:
        """The exact (non-typo) answer for a normalised query, if there is one."""
        if text in self._aliases:
            return self._alias_match(text)
        zone = self._exact.get(text)
        if zone is not None:
            return ZoneMatch(zone, [zone], ZoneMatchKind.EXACT)
        code = self._countries.get(text)
        if code is None and len(text) == 2 and text.isalpha():
            upper = text.upper()
            if upper in self.country_zones or upper in self.country_names:
                code = upper
        if code is not None:
            found = self._country_match(code)
            if found is not None:
                return found
        if text in self._shared_names:
            return self._shared_match(text)
        found = self._city_match(text)
        if found is not None:
            return found
        zone = self._legacy.get(text)
        if zone is not None:
            return ZoneMatch(zone, [zone], ZoneMatchKind.EXACT)
        return None

    def close(self, text: str) -> ZoneMatch | None:
        """A typo match: one clearly close name answers; otherwise suggestions."""
        if not 3 <= len(text) <= _MAX_FUZZY_CHARS:
            return None
        names = list(self._fuzzy)
        strong = difflib.get_close_matches(text, names, n=MAX_CANDIDATES, cutoff=_CLOSE_CUTOFF)
        strong_answers = _distinct(self._fuzzy[name] for name in strong)
        if len(strong_answers) == 1:
            return strong_answers[0]
        if strong_answers:
            return ZoneMatch(None, _candidates(strong_answers), ZoneMatchKind.AMBIGUOUS)
        weak = difflib.get_close_matches(text, names, n=MAX_CANDIDATES, cutoff=_SUGGEST_CUTOFF)
        if weak:
            answers = _distinct(self._fuzzy[name] for name in weak)
            return ZoneMatch(None, _candidates(answers), ZoneMatchKind.UNKNOWN)
        return None


def _distinct(matches: Iterable[ZoneMatch]) -> list[ZoneMatch]:
    seen: dict[tuple[str | None, tuple[str, ...]], ZoneMatch] = {}
    for found in matches:
        key = (found.zone, () if found.zone is not None else tuple(found.candidates))
        seen.setdefault(key, found)
    return list(seen.values())


def _candidates(matches: Iterable[ZoneMatch]) -> list[str]:
    zones: dict[str, None] = {}
    for found in matches:
        for zone in [found.zone] if found.zone is not None else found.candidates:
            zones.setdefault(zone, None)
    return list(zones)[:MAX_CANDIDATES]


def _attempts(query: str) -> list[str]:
    """The whole query, without a trailing "time"/"timezone", then its parts: "Berlin,
    Germany" tries "berlin" and "germany"; "Europe/Berln" tries "berln" and "europe";
    "Paris France" tries "paris" and "france" (words of three letters or more)."""
    whole = normalize(query)
    attempts = [whole]
    for suffix in _SUFFIXES:
        if whole.endswith(suffix) and len(whole) > len(suffix):
            attempts.append(whole[: -len(suffix)].strip())
    for part in query.split(","):
        attempts.append(normalize(part))
    if "/" in whole:
        attempts.extend(reversed(whole.split("/")))
    if " " in whole:
        attempts.extend(word for word in whole.replace("/", " ").split() if len(word) >= 3)
    return [text for text in dict.fromkeys(attempts) if text]


def match_zone(query: str, directory: ZoneDirectory) -> ZoneMatch:
    """What ``/timezone <query>`` means: see the module docstring. Never raises."""
    if not isinstance(query, str):
        return UNKNOWN
    query = query[:MAX_QUERY_CHARS]
    attempts = _attempts(query)
    if not attempts:
        return UNKNOWN
    found = directory.offset_match(query)
    if found is not None:
        return found
    ambiguous: ZoneMatch | None = None
    for text in attempts:
        found = directory.lookup(text)
        if found is not None:
            if found.zone is not None:
                return found
            ambiguous = ambiguous or found
    if ambiguous is not None:
        return ambiguous
    suggestions: ZoneMatch | None = None
    for text in attempts:
        found = directory.close(text)
        if found is not None:
            if found.kind is not ZoneMatchKind.UNKNOWN:
                return found
            suggestions = suggestions or found
    return suggestions or UNKNOWN


# --- a first guess at pairing -----------------------------------------------------------

# Where a bare language (Telegram's language_code without a region) is mostly spoken in
# one zone. Languages spread over many zones (English, Spanish, Portuguese, Arabic...)
# are left out: a wrong guess is worse than the list of common zones.
LANGUAGE_COUNTRIES: dict[str, str] = {
    "de": "DE",
    "fr": "FR",
    "it": "IT",
    "nl": "NL",
    "pl": "PL",
    "cs": "CZ",
    "sv": "SE",
    "da": "DK",
    "fi": "FI",
    "nb": "NO",
    "uk": "UA",
    "tr": "TR",
    "el": "GR",
    "hu": "HU",
    "ro": "RO",
    "ja": "JP",
    "ko": "KR",
    "zh": "CN",
    "he": "IL",
    "hi": "IN",
    "th": "TH",
    "vi": "VN",
}
COMMON_ZONES = (
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "Asia/Tokyo",
)
MAX_ZONE_OPTIONS = 6


def guess_zone(language_code: str | None, directory: ZoneDirectory) -> str | None:
    """A zone guessed from Telegram's language_code: its region if it has one ("es-MX":
    Mexico's main zone), else the country of a language spoken mostly in one ("de")."""
    if not language_code:
        return None
    language, _, region = language_code.replace("_", "-").partition("-")
    country = region.upper() if region else LANGUAGE_COUNTRIES.get(language.lower())
    match = directory.country_match(country) if country else None
    if match is None:
        return None
    return match.zone or (match.candidates[0] if match.candidates else None)


def zone_options(language_code: str | None, directory: ZoneDirectory) -> list[str]:
    """The zones offered as buttons at pairing: the guess first, then common ones."""
    guess = guess_zone(language_code, directory)
    known = [zone for zone in (guess, *COMMON_ZONES) if zone and zone in directory.zones]
    return list(dict.fromkeys(known))[:MAX_ZONE_OPTIONS]
