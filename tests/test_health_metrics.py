"""/healthz, /readyz and /metrics on HTTP_PORT, in polling mode (webhook mode serves the
same app: see test_webhook.py)."""

from __future__ import annotations

import re
import socket
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest

from bot.app import Hearth, StartupError
from bot.db.engine import create_engine
from bot.db.uow import UnitOfWorkFactory
from bot.kernel.clock import FakeClock
from bot.kernel.metrics import Exposition, Histogram
from sandbox import BotApiSandbox
from tests.conftest import Running, make_settings
from tests.helpers import as_instant, pair_couple, read_all, scalar
from tests.ops_support import http_get

METRICS = (
    "hearth_updates_handled_total",
    "hearth_updates_unparseable_total",
    "hearth_messages_sent_total",
    "hearth_messages_failed_total",
    "hearth_outbox_depth",
    "hearth_outbox_oldest_age_seconds",
    "hearth_due_pairs",
    "hearth_scheduler_lag_seconds",
    "hearth_inbox_depth",
    "hearth_reveal_latency_seconds",
)


@pytest.fixture
async def served(
    sandbox: BotApiSandbox, database_url: str, clock: FakeClock
) -> AsyncIterator[Running]:
    settings = make_settings(
        sandbox.api_root, database_url, http_port=0, webhook_listen="127.0.0.1"
    )
    hearth = Hearth(settings, clock=clock, scheduler=False)
    await hearth.start(serve_http=True)
    try:
        yield Running(hearth, sandbox, clock)
    finally:
        await hearth.stop()


def parse(page: str) -> dict[str, float]:
    """{"name{labels}": value} for every sample line."""
    samples: dict[str, float] = {}
    for line in page.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            samples[name] = float(value)
    return samples


async def metrics(bot: Running) -> dict[str, float]:
    response = await http_get(bot.hearth, "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=0.0.4")
    return parse(response.text)


async def test_health_and_readiness(served: Running) -> None:
    healthz = await http_get(served.hearth, "/healthz")
    assert (healthz.status_code, healthz.text) == (200, "ok\n")
    readyz = await http_get(served.hearth, "/readyz")
    assert readyz.status_code == 200


async def test_readyz_is_503_when_the_database_is_unreachable(served: Running) -> None:
    unreachable = create_engine("postgresql+asyncpg://nobody@127.0.0.1:1/none")
    real = served.hearth.operations._uow
    served.hearth.operations._uow = UnitOfWorkFactory(unreachable)
    try:
        response = await http_get(served.hearth, "/readyz")
        assert response.status_code == 503
        assert "database" in response.text
        assert (await http_get(served.hearth, "/healthz")).status_code == 200
    finally:
        served.hearth.operations._uow = real
        await unreachable.dispose()
    assert (await http_get(served.hearth, "/readyz")).status_code == 200


async def test_readyz_is_503_until_started_and_once_stopping(
    sandbox: BotApiSandbox, sqlite_url: str, clock: FakeClock
) -> None:
    hearth = Hearth(make_settings(sandbox.api_root, sqlite_url, http_port=0), clock=clock)
    ready, reason = await hearth.operations.ready()
    assert (ready, reason) == (False, "starting or stopping")
    await hearth.start(serve_http=True)
    try:
        assert (await http_get(hearth, "/readyz")).status_code == 200
    finally:
        await hearth.stop()
    assert (await hearth.operations.ready())[0] is False


async def test_metrics_count_what_happened(served: Running) -> None:
    before = await metrics(served)
    for name in METRICS:
        assert any(key.startswith(name) for key in before), f"{name} missing"
    assert before["hearth_outbox_depth"] == 0
    assert before["hearth_due_pairs"] == 0
    assert before["hearth_scheduler_lag_seconds"] == 0
    assert before["hearth_reveal_latency_seconds_count"] == 0

    couple = await pair_couple(served)
    await couple.a.send_text("Our walk by the river")
    await couple.a.expect(contains="Saved.")
    served.clock.advance(timedelta(seconds=40))
    await couple.b.send_text("Cooking together")
    await served.settle()
    assert any(m.contains("Our walk by the river") for m in await read_all(served, couple.b))
    assert any(m.contains("Cooking together") for m in await read_all(served, couple.a))

    after = await metrics(served)
    assert after["hearth_updates_handled_total"] == served.hearth.updates.handled > 0
    assert after["hearth_messages_sent_total"] == served.hearth.sender.stats.sent >= 6
    assert after['hearth_messages_failed_total{reason="blocked"}'] == 0
    assert after["hearth_reveal_latency_seconds_count"] == 2
    assert after['hearth_reveal_latency_seconds_bucket{le="+Inf"}'] == 2
    assert after["hearth_outbox_depth"] == 0
    assert after["hearth_outbox_oldest_age_seconds"] == 0

    # The day's question is due and no tick has run: the lag grows with the clock.
    next_prompt = as_instant(await scalar(served, "SELECT next_prompt_at FROM pair"))
    served.clock.set(next_prompt + timedelta(minutes=5))
    late = await metrics(served)
    assert late["hearth_due_pairs"] == 1
    assert late["hearth_scheduler_lag_seconds"] == pytest.approx(300, abs=1)


async def test_failed_messages_are_counted_by_reason(served: Running) -> None:
    couple = await pair_couple(served)
    served.sandbox.faults.fail_next("sendMessage", status=403, chat_id=couple.b.id)
    served.clock.advance(timedelta(days=1, hours=11))  # the next day's question, 20:00
    await served.hearth.tick()
    await served.settle()
    page = await metrics(served)
    assert page['hearth_messages_failed_total{reason="blocked"}'] >= 1


def test_exposition_format() -> None:
    page = Exposition()
    page.counter("x_total", "Things.", {(("reason", 'a"b'),): 3})
    page.gauge("y", "Level.", 1.5)
    histogram = Histogram(bounds=(1.0, 5.0))
    histogram.observe(0.5)
    histogram.observe(3)
    histogram.observe(7)
    page.histogram("z_seconds", "Time.", histogram)
    text = page.render()
    assert '# TYPE x_total counter\nx_total{reason="a\\"b"} 3\n' in text
    assert "y 1.5\n" in text
    assert 'z_seconds_bucket{le="1"} 1\nz_seconds_bucket{le="5"} 2\n' in text
    assert 'z_seconds_bucket{le="+Inf"} 3\nz_seconds_sum 10.5\nz_seconds_count 3\n' in text
    assert all(re.match(r"^(# (HELP|TYPE) \S+ .+|\S+ \S+)$", line) for line in text.splitlines())


async def test_a_taken_port_stops_start_up_with_one_clear_line(
    sandbox: BotApiSandbox, sqlite_url: str, clock: FakeClock
) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = make_settings(
            sandbox.api_root, sqlite_url, http_port=port, webhook_listen="127.0.0.1"
        )
        hearth = Hearth(settings, clock=clock)
        with pytest.raises(StartupError) as raised:
            await hearth._start_or_explain(serve_http=True)
    assert str(raised.value).startswith(f"cannot listen on 127.0.0.1:{port}")
    assert "\n" not in str(raised.value)
