"""At pairing each partner is asked where they live: zone buttons led by a guess from
their Telegram language and region, "share my location", or /timezone with a city."""

from __future__ import annotations

from bot.schedule.zone_directory import load_zone_directory, zone_at
from bot.schedule.zones import guess_zone, zone_options
from sandbox import BotMessage, SimulatedUser
from tests.conftest import Running
from tests.helpers import ZONE_QUESTION, pair_couple, scalar


def zone_question(user: SimulatedUser) -> BotMessage:
    return next(m for m in user.inbox if m.contains(ZONE_QUESTION))


async def zone_of(bot: Running, user: SimulatedUser) -> str | None:
    return await scalar(bot, "SELECT timezone FROM person WHERE id = :p", p=user.id)  # type: ignore[no-any-return]


async def test_the_zone_buttons_start_with_a_guess_from_the_language(bot: Running) -> None:
    bot.sandbox.user(1001, "Alice", language_code="de")
    bot.sandbox.user(1002, "Bob", language_code="es-MX")
    couple = await pair_couple(bot)
    alice, bob = couple.both
    asked_alice, asked_bob = zone_question(alice), zone_question(bob)
    assert asked_alice.buttons[0][0] == ("Europe/Berlin", "tz:Europe/Berlin")
    assert asked_bob.buttons[0][0] == ("America/Mexico City", "tz:America/Mexico_City")
    for asked in (asked_alice, asked_bob):
        labels = [label for row in asked.buttons for label, _ in row]
        assert "America/New York" in labels
        assert labels[-1] == "📍 Share my location"
        assert "/timezone" in asked.plain_text
    await alice.press("tz:Europe/Berlin", message_id=asked_alice.message_id)
    chosen = await alice.expect_edit(asked_alice.message_id)
    assert "Got it: Europe/Berlin" in chosen.plain_text
    assert "20:00 your time" in chosen.plain_text
    assert await zone_of(bot, alice) == "Europe/Berlin"
    assert await zone_of(bot, bob) is None
    await bot.settle()
    assert not bob.unread, "Alice's zone is hers alone: Bob is told nothing"


async def test_sharing_a_location_sets_the_zone_there(bot: Running) -> None:
    couple = await pair_couple(bot)
    bob = couple.b
    asked = zone_question(bob)
    await bob.press("tz:loc", message_id=asked.message_id)
    how = await bob.expect(contains="Share my location")
    assert "don't keep it" in how.plain_text
    assert bob.reply_keyboard is not None
    [[button]] = bob.reply_keyboard
    assert button["request_location"] is True
    await bob.share_location_via_button(40.7128, -74.0060)  # New York
    done = await bob.expect(contains="Got it: America/New_York")
    assert "20:00 your time" in done.plain_text
    assert bob.reply_keyboard is None, "the location keyboard goes away"
    assert await zone_of(bot, bob) == "America/New_York"
    await bob.send_location(0.0, -30.0)  # the middle of the Atlantic
    await bob.expect(contains="couldn't find a time zone for that place")
    assert await zone_of(bot, bob) == "America/New_York"


async def test_a_city_as_text_still_works_and_forged_zones_are_refused(bot: Running) -> None:
    couple = await pair_couple(bot)
    alice = couple.a
    await alice.send_text("/timezone Tokyo")
    await alice.expect(contains="Asia/Tokyo")
    await alice.press("tz:Mars/Olympus_Mons")
    assert await zone_of(bot, alice) == "Asia/Tokyo"


def test_the_guess_from_telegrams_language_code() -> None:
    directory = load_zone_directory()
    for code, zone in (
        ("de", "Europe/Berlin"),
        ("es-MX", "America/Mexico_City"),
        ("en-US", "America/New_York"),
        ("pt_BR", "America/Sao_Paulo"),
        ("ja", "Asia/Tokyo"),
        ("en", None),  # spoken everywhere: no guess, only the common zones
        ("es", None),
        (None, None),
        ("xx-ZZ", None),
    ):
        assert guess_zone(code, directory) == zone, code
    assert zone_options("de", directory)[0] == "Europe/Berlin"
    assert zone_options("de", directory).count("Europe/Berlin") == 1
    assert zone_options(None, directory)[0] == "Europe/London"


def test_a_location_resolves_offline_with_timezonefinder() -> None:
    directory = load_zone_directory()
    assert zone_at(52.52, 13.405, directory) == "Europe/Berlin"
    assert zone_at(35.68, 139.69, directory) == "Asia/Tokyo"
    assert zone_at(-33.87, 151.21, directory) == "Australia/Sydney"
    assert zone_at(0.0, -30.0, directory) is None, "at sea: no zone of a place"
    assert zone_at(123.0, 0.0, directory) is None
