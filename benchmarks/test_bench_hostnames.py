"""The host-name pass on mail lines, beside the core alone (pytest benchmarks --benchmark-enable).

Every format runs the pass for names next to their address; postfix, dovecot and syslog also
mask names standing alone. Compare the rows of one corpus: the core alone, then the core after
each kind of pass. The seeded mail corpora write 30 % of the known client names the way dial-up
providers do (``56-149-239-176.dyn.example.net``), the rest ``unknown`` or ``mail.example.org``.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ipmask.masking import Masker
from ipmask.masking.hostnames import HostnameMasker

LINES = 10_000
MODES = ["core only", "names beside addresses", "names alone too"]


def _run(mode: str) -> Callable[[bytes], bytes]:
    """The core, after the host-name pass of ``mode`` (a new masker: empty caches)."""
    masker = Masker()
    if mode == "core only":
        return masker.mask_bytes
    names = HostnameMasker(masker, standalone=mode == "names alone too")

    def run(data: bytes) -> bytes:
        return masker.mask_bytes(names(data))

    return run


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("corpus", ["postfix", "mail"])
def test_hostnames_warm(benchmark, block, corpus: str, mode: str) -> None:
    """10,000 lines, every name and address seen before (the steady state)."""
    data = block(corpus, LINES)
    run = _run(mode)
    run(data)
    out = benchmark(run, data)
    assert out.count(b"\n") == data.count(b"\n")
    assert (b"-XXX.dyn.example.net[" in out) == (mode != "core only")


@pytest.mark.parametrize("mode", MODES[1:])
def test_hostnames_cold(benchmark, block, mode: str) -> None:
    """10,000 Postfix lines with new caches each round: every name is worked out afresh."""
    data = block("postfix", LINES)

    def fresh() -> tuple[tuple[Callable[[bytes], bytes], bytes], dict[str, object]]:
        return (_run(mode), data), {}

    def call(run: Callable[[bytes], bytes], data: bytes) -> bytes:
        return run(data)

    out = benchmark.pedantic(call, setup=fresh, rounds=20, warmup_rounds=1)
    assert b"-XXX.dyn.example.net[" in out
