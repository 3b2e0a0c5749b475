"""Blocks of whole lines: LineBlocks and where an over-long line may be cut (cut_point)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ipmask.streaming._lines
from ipmask import ConfigError, Counts, Masker
from ipmask.masking.hostnames import HostnameMasker
from ipmask.streaming import BLOCK_SIZE, LINE_CAP, LineBlocks, cut_point

MASKER = Masker()


def split_lines(data: bytes) -> list[bytes]:
    """``data`` cut after each newline (only b"\\n" ends a line), the last line kept."""
    return re.findall(rb"[^\n]*\n|[^\n]+\Z", data)


def chunked(data: bytes, chunk_sizes: list[int]) -> list[bytes]:
    """``data`` cut into chunks of the given sizes (cycled)."""
    chunks, i, k = [], 0, 0
    while i < len(data):
        size = chunk_sizes[k % len(chunk_sizes)]
        chunks.append(data[i : i + size])
        i += size
        k += 1
    return chunks


def blocks_of(data: bytes, chunk_sizes: list[int], cap: int) -> tuple[LineBlocks, list]:
    """Run LineBlocks over ``data`` cut into chunks of the given sizes (cycled)."""
    blocks = LineBlocks(chunked(data, chunk_sizes), line_cap=cap, block_size=max(chunk_sizes))
    return blocks, list(blocks)


# -- line blocks --------------------------------------------------------------------------------

lines_strategy = st.lists(
    st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"")), max_size=30
).map(b"\n".join)


@settings(max_examples=200, deadline=None)
@given(
    data=st.one_of(lines_strategy, lines_strategy.map(lambda d: d + b"\n")),
    chunk_sizes=st.lists(st.integers(1, 16), min_size=1, max_size=5),
    cap=st.integers(16, 40),
)
def test_line_blocks_keep_every_byte_and_cut_exactly_the_long_lines(data, chunk_sizes, cap):
    """Blocks join back to the input; whole blocks hold whole lines; only long lines are cut."""
    blocks, out = blocks_of(data, chunk_sizes, cap)
    assert b"".join(part for part, _ in out) == data
    lines = split_lines(data)
    assert blocks.counts.lines == len(lines)
    assert blocks.counts.bytes == len(data)
    assert blocks.counts.unfit == sum(len(line) > cap for line in lines)
    whole_lines = [line for part, whole in out if whole for line in split_lines(part)]
    assert whole_lines == [line for line in lines if len(line) <= cap]
    for part, whole in out[:-1]:
        if whole:
            assert part.endswith(b"\n")


@settings(max_examples=100, deadline=None)
@given(
    data=st.one_of(lines_strategy, lines_strategy.map(lambda d: d + b"\n")),
    chunk_sizes=st.lists(st.integers(1, 16), min_size=1, max_size=5),
)
def test_line_blocks_without_counting_give_the_same_blocks(data, chunk_sizes):
    """count_lines=False changes only the line count (left at 0), never the blocks."""
    counted, expected = blocks_of(data, chunk_sizes, 24)
    uncounted = LineBlocks(
        chunked(data, chunk_sizes), line_cap=24, block_size=max(chunk_sizes), count_lines=False
    )
    assert list(uncounted) == expected
    assert (uncounted.counts.lines, uncounted.counts.bytes) == (0, counted.counts.bytes)
    assert uncounted.counts.unfit == counted.counts.unfit


def test_line_blocks_add_to_the_counts_given():
    """Given a Counts, LineBlocks adds to it (and holds it) instead of starting from zero."""
    counts = Counts(lines=10, bytes=100, ipv4=3, unfit=1)
    data = chunked(b"one\n" + b"x" * 40 + b"\n", [8])
    blocks = LineBlocks(data, line_cap=16, block_size=8, counts=counts)
    list(blocks)
    assert blocks.counts is counts
    assert counts == Counts(lines=12, bytes=145, ipv4=3, unfit=2)


def test_line_blocks_defaults_are_the_published_sizes():
    """By default a line read in blocks is cut only when it is longer than LINE_CAP."""
    assert BLOCK_SIZE <= LINE_CAP
    fits = b"a" * (LINE_CAP - 1) + b"\n"
    blocks = LineBlocks(chunked(fits, [BLOCK_SIZE]))
    assert list(blocks) == [(fits, True)]
    assert blocks.counts.unfit == 0
    too_long = LineBlocks(chunked(b"a" * LINE_CAP + b"\n", [BLOCK_SIZE]))
    assert not any(whole for _, whole in too_long)
    assert too_long.counts.unfit == 1


def test_line_blocks_pass_a_slow_pipe_line_by_line():
    """Each chunk ending in a newline comes out as its own block at once."""
    blocks = LineBlocks(iter([b"one\n", b"tw", b"o\nthr", b"ee\n"]))
    assert list(blocks) == [(b"one\n", True), (b"two\n", True), (b"three\n", True)]


def test_last_line_without_newline_comes_out_as_it_is():
    """An unterminated last line is yielded at the end, no newline added."""
    assert list(LineBlocks(iter([b"a\nb"]))) == [(b"a\n", True), (b"b", True)]


def test_long_line_pieces_stay_bounded_and_cut_after_separators():
    """A line far longer than the cap comes in pieces no larger than a block."""
    line = b"word " * 10_000 + b"\n"
    blocks, out = blocks_of(line, [1000], cap=4096)
    assert all(not whole for _, whole in out)
    assert max(len(part) for part, _ in out) <= 1000
    assert all(part.endswith((b" ", b"\n")) for part, _ in out)
    assert blocks.counts.unfit == 1


def test_long_line_counts_once_as_one_line():
    """An over-long line is one line and one unfit line, however many pieces it comes in."""
    blocks, out = blocks_of(b"short\n" + b"word " * 2000 + b"\nend", [100], cap=400)
    assert sum(not whole for _, whole in out) > 10
    assert (blocks.counts.lines, blocks.counts.unfit) == (3, 1)


def test_long_token_without_a_safe_cut_is_cut_anyway():
    """A run with no safe cut point longer than the cap is still passed on, in bounded pieces."""
    line = b"0123456789abcdef" * 1000
    _, out = blocks_of(line, [512], cap=1024)
    assert b"".join(part for part, _ in out) == line
    assert max(len(part) for part, _ in out) <= 1024 + 512


def test_block_size_above_the_cap_is_refused():
    """The cap must be at least a block, or a long line could hide inside one chunk."""
    with pytest.raises(ConfigError, match="block_size") as refused:
        LineBlocks([], line_cap=10, block_size=11)
    assert refused.value.setting == "block_size"


# -- cut points ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"a 1.2.3.4 b", 10),  # after the last space
        (b'x="1.2.3.4"', 3),  # after the opening quote; never at the very end
        (b"1.2.3.4:abcgh", 0),  # nothing safe: address and name characters only
        (b"1.2.3.4:abc::1%en0", 0),  # nothing safe: address characters only
        (b"Chrome/120.0.0.0", 0),  # never inside a word or after the slash
        (b"[IPv6:2001:db8::1]", 0),  # never inside the IPv6 tag or after "["
        (b"from a.example [192.0.2.1]", 5),  # never inside "name [addr]"
        (b"x a.example (192.0.2.1)", 2),  # never inside "name (addr)"
        (b"arg1=a.example, arg2=192.0.2.1", 0),  # never inside sendmail's pair
    ],
)
def test_cut_point(data, expected):
    """The cut falls at the last safe position, or nowhere."""
    assert cut_point(data) == expected


def test_cut_point_looks_only_inside_its_window():
    """With start and end, the cut falls inside them, and start means nowhere."""
    assert cut_point(b"a b c d", 2, 5) == 4
    assert cut_point(b"a b c d", 2, 3) == 2


def test_long_run_without_a_safe_cut_is_searched_about_once(monkeypatch):
    """A run with no safe cut is not searched again for every chunk that lengthens it."""
    searched = []

    def counting(data: bytes, start: int = 0, end: int | None = None) -> int:
        searched.append(min(len(data), len(data) if end is None else end) - start)
        return cut_point(data, start, end)

    # No public seam counts the searches: LineBlocks looks cut_point up in its own module.
    monkeypatch.setattr(ipmask.streaming._lines, "cut_point", counting)
    line = b"1" * 50_000 + b"\n"
    _, out = blocks_of(line, [100], cap=4_000)
    assert b"".join(part for part, _ in out) == line
    assert searched
    assert sum(searched) < 2 * len(line)


def test_cutting_a_long_line_keeps_host_name_pairs_whole():
    """A name that spells its address is masked however a long line is cut into pieces."""
    pair = b"connect from 54-56-24-102.dyn.example.net[54.56.24.102] "
    masked = b"connect from 54-56-24-XXX.dyn.example.net[54.56.24.XXX] "
    line = pair * 200 + b"\n"
    names = HostnameMasker(MASKER, standalone=False)
    for size in (7, 100, 333, 1000):
        blocks = LineBlocks(chunked(line, [size]), line_cap=2000, block_size=1000)
        pieces = [MASKER.mask_bytes(names(part)) for part, _ in blocks]
        assert b"".join(pieces) == masked * 200 + b"\n"


SAMPLE_ALPHABET = (
    list(b"0123456789abcdefABCDEF.:%[]/_-") + list(b" \t,;\"'()<>=&|") + list(b"ghkmxyzCIPv")
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.sampled_from(
                [
                    b"78.46.198.140",
                    b"2a01:4f8:1c17:413b::1",
                    b"[2001:db8::1]:443",
                    b"fe80::1%eth0",
                    b"Chrome/120.0.0.0",
                    b"IPv6:2001:db8::2",
                    b"::ffff:1.2.3.4",
                ]
            ),
            st.binary(min_size=1, max_size=3).map(
                lambda b: bytes(SAMPLE_ALPHABET[x % len(SAMPLE_ALPHABET)] for x in b)
            ),
        ),
        max_size=12,
    ).map(b"".join),
    st.integers(0, 200),
)
def test_masking_both_sides_of_a_cut_equals_masking_the_whole(text, end):
    """Cutting at cut_point never changes what the `any` rules make of the text."""
    head = text[:end]
    cut = cut_point(head)
    if cut:
        left, right = text[:cut], text[cut:]
        assert MASKER.mask_bytes(left) + MASKER.mask_bytes(right) == MASKER.mask_bytes(text)
