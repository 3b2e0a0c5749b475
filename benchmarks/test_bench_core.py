"""The core calls, one at a time: mask_ip and mask_text (pytest benchmarks --benchmark-enable)."""

from __future__ import annotations

import itertools

import pytest

import ipmask
from ipmask.masking import Masker
from ipmask.masking import _masker as core

LINES = {
    0: b"Nov 22 20:54:01 mx1 postfix/qmgr[1234]: 4Xy1Zk2Hq9z3: removed\n",
    1: b"Nov 22 20:54:01 mx1 postfix/smtpd[1234]: connect from unknown[203.0.113.7]\n",
    3: (
        b"Nov 22 20:54:01 mx1 postfix/postscreen[1234]: CONNECT from [2a01:4f8:1c17:413b::1]:"
        b"51234 to [78.46.198.140]:25 via ::ffff:198.51.100.23\n"
    ),
}


def test_mask_ip_warm(benchmark) -> None:
    """ipmask.mask_ip with its configured Masker cached: the steady state."""
    ipmask.mask_ip("78.46.198.140")
    assert benchmark(ipmask.mask_ip, "78.46.198.140") == "78.46.198.XXX"


def test_mask_ip_cold(benchmark) -> None:
    """ipmask.mask_ip right after its Masker cache was emptied: set-up included."""
    result = benchmark.pedantic(
        ipmask.mask_ip,
        args=("78.46.198.140",),
        setup=core._MASKERS.clear,
        rounds=2000,
        warmup_rounds=10,
    )
    assert result == "78.46.198.XXX"


def test_mask_ip_ipv6_warm(benchmark) -> None:
    """Masker.mask_ip on an IPv6 address."""
    masker = Masker()
    expected = "2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX"
    assert benchmark(masker.mask_ip, "2a01:4f8:1c17:413b::1") == expected


@pytest.mark.parametrize("count", sorted(LINES))
def test_mask_text_warm(benchmark, count: int) -> None:
    """Masker.mask_text on one log line with 0, 1 or 3 addresses, all seen before."""
    masker = Masker()
    line = LINES[count]
    masker.mask_text(line)
    out = benchmark(masker.mask_text, line)
    assert out.count(b"XXX") >= count


def test_mask_text_cold(benchmark) -> None:
    """Masker.mask_text on a line whose address was never seen (a new client each call)."""
    masker = Masker()
    fresh = (
        b"connect from unknown[%d.%d.%d.%d]\n" % (10 + a, b, c, d)
        for a, b, c, d in itertools.product(range(200), range(256), range(256), range(1, 255))
    )
    benchmark(lambda: masker.mask_text(next(fresh)))


def test_mask_text_str(benchmark) -> None:
    """Masker.mask_text on a str line (encoded and decoded around the bytes path)."""
    masker = Masker()
    line = LINES[3].decode()
    assert benchmark(masker.mask_text, line).count("X") > 3
