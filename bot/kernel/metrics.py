"""Prometheus text exposition, by hand: counters, gauges and histograms.

https://prometheus.io/docs/instrumenting/exposition_formats/ (text format 0.0.4).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass, field

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass
class Histogram:
    """Cumulative counts of observations at or below each bound, plus sum and count."""

    bounds: tuple[float, ...] = LATENCY_BUCKETS
    counts: list[int] = field(default_factory=list)
    total: float = 0.0
    count: int = 0

    def __post_init__(self) -> None:
        self.counts = [0] * len(self.bounds)

    def observe(self, value: float) -> None:
        value = max(0.0, value)
        index = bisect.bisect_left(self.bounds, value)
        for position in range(index, len(self.bounds)):
            self.counts[position] += 1
        self.total += value
        self.count += 1


def _number(value: float) -> str:
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    escaped = (
        f'{key}="{value.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for key, value in sorted(labels.items())
    )
    return "{" + ",".join(escaped) + "}"


class Exposition:
    """Collects metric families and renders them as one text page."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def _family(self, name: str, kind: str, help_text: str) -> None:
        self._lines.append(f"# HELP {name} {help_text}")
        self._lines.append(f"# TYPE {name} {kind}")

    def counter(
        self, name: str, help_text: str, samples: dict[tuple[tuple[str, str], ...], float]
    ) -> None:
        self._family(name, "counter", help_text)
        for labels, value in samples.items():
            self._lines.append(f"{name}{_labels(dict(labels))} {_number(value)}")

    def gauge(self, name: str, help_text: str, value: float) -> None:
        self._family(name, "gauge", help_text)
        self._lines.append(f"{name} {_number(value)}")

    def histogram(self, name: str, help_text: str, histogram: Histogram) -> None:
        self._family(name, "histogram", help_text)
        for bound, count in zip(histogram.bounds, histogram.counts, strict=True):
            self._lines.append(f'{name}_bucket{{le="{_number(bound)}"}} {count}')
        self._lines.append(f'{name}_bucket{{le="+Inf"}} {histogram.count}')
        self._lines.append(f"{name}_sum {_number(histogram.total)}")
        self._lines.append(f"{name}_count {histogram.count}")

    def render(self) -> str:
        return "\n".join(self._lines) + "\n"
