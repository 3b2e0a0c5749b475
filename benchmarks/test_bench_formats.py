"""Every format's filter on a block of 10,000 lines (pytest benchmarks --benchmark-enable)."""

from __future__ import annotations

import pytest

from corpora import FORMAT_CORPUS
from ipmask.formats import FORMAT_NAMES, get_filter

LINES = 10_000


@pytest.mark.parametrize("name", FORMAT_NAMES)
def test_filter_warm(benchmark, block, name: str) -> None:
    """The filter on 10,000 lines of its own format, caches warm (the steady state)."""
    assert name in FORMAT_CORPUS, f"no corpus for format {name!r}: add one to FORMAT_CORPUS"
    data = block(FORMAT_CORPUS[name], LINES)
    line_filter = get_filter(format=name)
    line_filter(data)
    out = benchmark(line_filter, data)
    assert out.count(b"\n") == data.count(b"\n")
    assert out != data


@pytest.mark.parametrize("name", ["any", "combined"])
def test_filter_cold(benchmark, block, name: str) -> None:
    """A new Masker and filter for every round: every address is seen for the first time."""
    data = block(FORMAT_CORPUS[name], LINES)

    def fresh() -> tuple[tuple[bytes], dict[str, object]]:
        return (data,), {}

    def run(data: bytes) -> bytes:
        return get_filter(format=name)(data)

    out = benchmark.pedantic(run, setup=fresh, rounds=20, warmup_rounds=1)
    assert out.count(b"\n") == data.count(b"\n")
