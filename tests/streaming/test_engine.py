"""The one block loop (Engine): blocks in order, the fallback for what a filter cannot take,
and the counts every mode reports."""

from __future__ import annotations

import pytest

from ipmask import Counts, LineFilter, get_filter
from ipmask.streaming import BLOCK_SIZE, LINE_CAP, Engine

WEB = (
    b'78.46.198.140 - - [01/Jan/2024:00:00:00 +0000] "GET / HTTP/1.1" 200 5 "-" "-"\n'
    b'2001:db8::7 - - [01/Jan/2024:00:00:01 +0000] "GET /a HTTP/1.1" 404 0 "-" "-"\n'
    b"a line that is no web line 192.0.2.44\n"
    b'203.0.113.9 - - [01/Jan/2024:00:00:02 +0000] "GET /b HTTP/1.1" 200 7 "-" "-"\n'
)
PAIR = b"from 72-53-132-234.example.net[72.53.132.234] "
PAIR_MASKED = b"from 72-53-132-XXX.example.net[72.53.132.XXX] "
#: A web log with a line over LINE_CAP in the middle, holding a host-name pair and an address.
LONG_LOG = WEB + b"word " * (LINE_CAP // 5) + PAIR + b"10.1.2.3 end\n" + WEB


def chunks_of(data: bytes, size: int = BLOCK_SIZE) -> list[bytes]:
    """``data`` in chunks of ``size`` bytes, as a source reads a file."""
    return [data[start : start + size] for start in range(0, len(data), size)]


def combined(counts: Counts | None = None) -> LineFilter:
    """A fresh filter for the combined format."""
    return get_filter(format="combined", counts=counts)


class Spy:
    """Wraps a filter (and, for the outer one, its fallback), noting the blocks it is given."""

    def __init__(self, inner: LineFilter, *, outer: bool = True) -> None:
        self._inner = inner
        self.name = inner.name
        self.calls: list[bytes] = []
        self.fallback: Spy = Spy(inner.fallback, outer=False) if outer else self

    def __call__(self, block: bytes) -> bytes:
        self.calls.append(block)
        return self._inner(block)


class Raising:
    """A filter with a bug: raises on every block; ``name`` may be changed as it goes."""

    def __init__(self, counts: Counts | None = None, name: str = "raising") -> None:
        self.name = name
        self.fallback = get_filter(counts=counts)

    def __call__(self, block: bytes) -> bytes:
        raise RuntimeError("a bug in a filter")


# -- blocks --------------------------------------------------------------------------------------


def test_run_yields_every_block_in_order_masked_by_the_filter():
    """Every block comes out in order, masked as the filter masks it; together they are the
    input masked as one."""
    data = WEB * 50
    pairs = list(Engine(combined).run(chunks_of(data, 100)))
    assert len(pairs) > 10
    assert b"".join(block for block, _ in pairs) == data
    assert all(masked == combined()(block) for block, masked in pairs)
    assert b"".join(masked for _, masked in pairs) == combined()(data)


def test_name_is_the_filters_name():
    """The engine's name is its filter's."""
    assert Engine(combined).name == "combined"


def test_mask_uses_the_filter():
    """mask() of a block of whole lines is what the filter makes of it."""
    assert Engine(combined).mask(WEB) == combined()(WEB)


# -- over-long lines -----------------------------------------------------------------------------


def test_pieces_of_an_over_long_line_go_to_the_fallback_only():
    """A line over LINE_CAP is handed to the filter's fallback in pieces, never to the filter."""
    spies: list[Spy] = []

    def make(counts: Counts | None) -> LineFilter:
        spies.append(Spy(combined(counts)))
        return spies[-1]

    pairs = list(Engine(make).run(chunks_of(LONG_LOG)))
    (spy,) = spies
    long_line = LONG_LOG[len(WEB) : -len(WEB)]
    assert b"".join(spy.calls) == WEB * 2
    assert b"".join(spy.fallback.calls) == long_line
    assert len(spy.fallback.calls) > 1
    assert b"".join(block for block, _ in pairs) == LONG_LOG


def test_host_name_pair_in_an_over_long_line_is_masked():
    """Under the combined format the pieces get the host-name pass of its fallback."""
    masked = b"".join(out for _, out in Engine(combined).run(chunks_of(LONG_LOG)))
    assert PAIR_MASKED + b"10.1.2.XXX end\n" in masked
    assert b"72-53-132-234" not in masked
    assert b"72.53.132.234" not in masked
    long_line = LONG_LOG[len(WEB) : -len(WEB)]
    assert masked == combined()(WEB) + combined().fallback(long_line) + combined()(WEB)


def test_over_long_line_counts_once_as_unfit():
    """A line over LINE_CAP counts as one line that did not fit, not once per piece."""
    engine = Engine(combined, count=True)
    list(engine.run(chunks_of(LONG_LOG)))
    # Each copy of WEB holds one line the combined format does not fit.
    assert engine.counts.unfit == 1 + 2
    assert engine.counts.lines == 4 + 1 + 4


# -- a filter that raises ------------------------------------------------------------------------


def test_mask_falls_back_when_the_filter_raises():
    """A block the filter raises on is masked by its fallback instead."""
    engine = Engine(Raising)
    assert engine.mask(WEB) == get_filter()(WEB)
    assert engine.counts.failed == {"raising"}


def test_failure_is_reported_once_per_filter_name():
    """on_failure hears of each failing filter's name once, not once per block."""
    heard: list[tuple[str, Exception]] = []
    engine = Engine(Raising, on_failure=lambda name, exc: heard.append((name, exc)))
    masked = [masked for _, masked in engine.run(chunks_of(WEB * 20, 100))]
    assert len(masked) > 10
    assert [name for name, _ in heard] == ["raising"]
    assert isinstance(heard[0][1], RuntimeError)
    raising = engine.filter
    assert isinstance(raising, Raising)
    raising.name = "renamed"  # as `auto` renames itself once it has picked a format
    engine.mask(WEB)
    engine.mask(WEB)
    assert [name for name, _ in heard] == ["raising", "renamed"]
    assert engine.counts.failed == {"raising", "renamed"}


def test_failure_without_a_listener_is_still_counted():
    """Without on_failure the failed filter is still named in the counts."""
    engine = Engine(Raising)
    pairs = list(engine.run(chunks_of(WEB * 3, 90)))
    assert [masked for _, masked in pairs] == [get_filter()(block) for block, _ in pairs]
    assert engine.counts.failed == {"raising"}


# -- counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [False, True])
def test_filter_gets_the_counts_only_when_counting(count):
    """make_filter gets the engine's counts to add to when counting, else None."""
    given: list[Counts | None] = []

    def make(counts: Counts | None) -> LineFilter:
        given.append(counts)
        return combined(counts)

    engine = Engine(make, count=count)
    assert given == [engine.counts if count else None]


def test_without_count_only_bytes_and_over_long_lines_are_counted():
    """count=False: bytes and the over-long line are counted, lines and addresses not."""
    engine = Engine(combined)
    list(engine.run(chunks_of(LONG_LOG)))
    assert engine.counts == Counts(bytes=len(LONG_LOG), unfit=1)


def test_with_count_lines_and_addresses_are_counted_too():
    """count=True: lines, addresses and every unfit line are counted besides the bytes."""
    engine = Engine(combined, count=True)
    list(engine.run(chunks_of(LONG_LOG)))
    assert engine.counts == Counts(
        lines=9, bytes=len(LONG_LOG), ipv4=2 * 3 + 2, ipv6=2 * 1, unfit=1 + 2
    )
