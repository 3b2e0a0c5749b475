#!/usr/bin/env python3
"""Where a filter's time goes: per-MB cost, the raw scans, and cProfile's top entries.

Run with an interpreter that has ipmask installed (the dev venv or compare.py's):

    .venvs/py3.11/bin/python benchmarks/profile_filters.py [--mb 40]

Everything runs in this one process on the first ``--mb`` MB of the seeded corpora (made under
``benchmarks/.work/corpora`` if missing), with warm caches, best of three; the numbers are per
MB of log, next to a plain Python loop over the same lines. It also shows what the reader's
block splitting costs, and how much memory the caches hold once full. About a minute.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import re
import sys
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpora  # noqa: E402
from ipmask.formats import get_filter  # noqa: E402
from ipmask.masking import Cache  # noqa: E402
from ipmask.masking import _grammar as grammar  # noqa: E402
from ipmask.streaming import BLOCK_SIZE, LineBlocks  # noqa: E402

#: Corpus -> the formats timed on it.
RUNS = {"combined": ("combined", "any"), "mail": ("any", "postfix", "dovecot")}


def best(fn: Callable[[], object], rounds: int = 3) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def blocks_of(data: bytes) -> list[bytes]:
    """The blocks the command's reader hands to a filter."""
    chunks = (data[i : i + BLOCK_SIZE] for i in range(0, len(data), BLOCK_SIZE))
    return [block for block, _ in LineBlocks(chunks)]


def top(profile: cProfile.Profile, count: int = 6) -> list[str]:
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(count)
    return [line.strip() for line in out.getvalue().splitlines() if re.match(r"\s+\d", line)]


def scans() -> dict[str, re.Pattern[bytes]]:
    """The core's scanning patterns, where this version of the grammar has them."""
    names = ("SCAN_V6", "SCAN_V4", "SCAN")
    return {n: re.compile(getattr(grammar, n).encode()) for n in names if hasattr(grammar, n)}


def profile_corpus(name: str, mb: int) -> None:
    path = corpora.cached(HERE / ".work" / "corpora", name, 1_000_000)
    with path.open("rb") as f:
        data = f.read(mb * 1_000_000)
    data = data[: data.rindex(b"\n") + 1]
    size, lines = len(data) / 1e6, data.count(b"\n")
    blocks = blocks_of(data)
    loop = best(lambda: [None for _ in data.splitlines(keepends=True)])
    reader = best(lambda: blocks_of(data))
    print(
        f"\n## {name}: {size:.0f} MB, {lines:,} lines, per line {data.count(b'.') / lines:.1f}"
        f" dots and {data.count(b':') / lines:.1f} colons"
    )
    print(
        f"python line loop: {loop * 1e3 / size:.2f} ms/MB; reader's blocks (LineBlocks): "
        f"{reader * 1e3 / size:.2f} ms/MB"
    )
    for label, pattern in scans().items():
        took = best(lambda p=pattern: [p.split(b) for b in blocks])
        print(f"re.split with grammar.{label} alone: {took * 1e3 / size:.2f} ms/MB")
    # What finding candidates costs: a pattern that fails right after its first character,
    # started by one literal (as each scan is) or by a set (as one scan for both would be).
    for label, first in (("':'", rb":"), ("'.'", rb"\."), ("[.:]", rb"[.:]")):
        fail = re.compile(first + rb"(?!)")
        took = best(lambda p=fail: [p.split(b) for b in blocks])
        print(f"re.split with a pattern that fails after {label}: {took * 1e3 / size:.2f} ms/MB")
    for fmt in RUNS[name]:
        line_filter = get_filter(format=fmt)
        for block in blocks:
            line_filter(block)
        took = best(lambda f=line_filter: [f(b) for b in blocks])
        print(
            f"\nfilter {fmt}: {took * 1e3 / size:.2f} ms/MB, {took / loop:.1f}x the line loop, "
            f"{lines / took:,.0f} lines/s"
        )
        profile = cProfile.Profile()
        profile.enable()
        for block in blocks:
            line_filter(block)
        profile.disable()
        for line in top(profile):
            print("   ", line[:140])


def cache_memory(lines: int = 200_000) -> None:
    """What the caches hold once full: every line a new client."""
    rng = random.Random(1)
    text = []
    for i in range(lines):
        a = rng.getrandbits(32)
        if i % 6 == 0:
            text.append(b"rip=2a01:4f8:%x::%x, x\n" % (rng.getrandbits(16), rng.getrandbits(16)))
        else:
            text.append(
                b"connect from unknown[%d.%d.%d.%d]\n"
                % (a >> 24, a >> 16 & 255, a >> 8 & 255, a & 255)
            )
    print(f"\n## memory held by a filter after {lines:,} lines, each with a new address")
    for fmt in ("any", "combined", "postfix", "dovecot"):
        tracemalloc.start()
        line_filter = get_filter(format=fmt)
        for i in range(0, lines, 4000):
            line_filter(b"".join(text[i : i + 4000]))
        held, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"{fmt}: {held / 2**20:.1f} MiB held, {peak / 2**20:.1f} MiB at the peak")


def cache_misses() -> None:
    """Misses of the client column of the 1,000,000-line Apache corpus, by cache policy."""
    path = corpora.cached(HERE / ".work" / "corpora", "combined", 1_000_000)
    with path.open("rb") as f:
        clients = [line.split(b" ", 1)[0] for line in f]
    counted: list[bytes] = []
    print(f"\n## client-column misses: {len(clients):,} lines, {len(set(clients)):,} clients")
    for limit in (1 << 14, 1 << 15, 1 << 16):
        counted.clear()
        cache = Cache(counted.append, limit)
        for _ in map(cache.__getitem__, clients):
            pass
        emptied: dict[bytes, None] = {}
        misses = 0
        for client in clients:
            if client not in emptied:
                misses += 1
                if len(emptied) >= limit:
                    emptied.clear()
                emptied[client] = None
        print(
            f"{limit:,} entries: two generations (ipmask.masking.Cache) {len(counted):,} misses; "
            f"one dict emptied when full {misses:,}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=40, help="MB of each corpus (default: 40)")
    args = parser.parse_args()
    for name in RUNS:
        profile_corpus(name, args.mb)
    cache_memory()
    cache_misses()
    return 0


if __name__ == "__main__":
    sys.exit(main())
