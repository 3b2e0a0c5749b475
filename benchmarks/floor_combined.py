#!/usr/bin/env python3
"""How close `--format combined` could get: the copy loop, a bare minimum, and ipmask, side by side.

The bare minimum does only what no Apache-log masker can skip: cut each block at its line breaks
capturing the first field, look every field up in a cache (a new field masked by the core), and
join. It checks nothing: not whether a line fits the template, not the quotes. Its ratio to the
copy loop is a floor for any design built on Python's ``re`` and ``dict``; the gap between it and
``ipmask --format combined`` is what the fit checks and the command around the filter cost.

Run with an interpreter that has ipmask installed (the dev venv or compare.py's):

    .venvs/py3.11/bin/python benchmarks/floor_combined.py [--rounds 5]

Uses the 1,000,000-line Apache corpus under ``benchmarks/.work/corpora`` (made if missing);
every command reads the file on standard input and writes to /dev/null; medians of interleaved
rounds. About half a minute. The bare minimum's output is checked against ipmask's first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from subprocess import PIPE

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import corpora  # noqa: E402

COPY_LOOP = (
    "import sys\nout = sys.stdout.buffer\nfor line in sys.stdin.buffer:\n    out.write(line)\n"
)

BARE_MINIMUM = r"""
import os, re
from ipmask.masking import Cache, Masker
field = Masker().field_masker(b"\n")
cache = Cache(lambda value: field(value) or value, 1 << 15)
split = re.compile(rb"(\n[^ \n]*)").split
# Each block is split after the line break that ends the block before it; the first block
# gets one, which is not written.
pending, skip = b"\n", 1
while chunk := os.read(0, 1 << 17):
    last = chunk.rfind(b"\n")
    parts = split(pending + chunk[:last])
    pending = chunk[last:]
    parts[1::2] = map(cache.__getitem__, parts[1::2])
    os.write(1, b"".join(parts)[skip:])
    skip = 0
os.write(1, pending[skip:])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    args = parser.parse_args()
    corpus = corpora.cached(args.work / "corpora", "combined", 1_000_000)
    ipmask = str(Path(sys.executable).with_name("ipmask"))
    # As compare.py does: no PYTHON* settings (PYTHONUNBUFFERED alone makes the copy loop
    # write every line with its own system call) and the C locale.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "IPMASK_"))}
    env["LC_ALL"] = "C"
    commands = {
        "python copy loop": [sys.executable, "-c", COPY_LOOP],
        "bare minimum (no checks)": [sys.executable, "-c", BARE_MINIMUM],
        "ipmask --format combined": [ipmask, "--format", "combined"],
    }
    outputs = []
    for name in ("bare minimum (no checks)", "ipmask --format combined"):
        with corpus.open("rb") as stdin:
            run = subprocess.run(commands[name], stdin=stdin, stdout=PIPE, env=env, check=True)
            outputs.append(run)
    if outputs[0].stdout != outputs[1].stdout:
        sys.exit("the bare minimum's output differs from ipmask's: not a fair comparison")
    del outputs
    times: dict[str, list[float]] = {name: [] for name in commands}
    for round_ in range(args.rounds):
        names = list(commands)
        names = names[round_ % len(names) :] + names[: round_ % len(names)]
        for name in names:
            with corpus.open("rb") as stdin:
                start = time.perf_counter()
                subprocess.run(
                    commands[name], stdin=stdin, stdout=subprocess.DEVNULL, env=env, check=True
                )
                times[name].append(time.perf_counter() - start)
    copy = statistics.median(times["python copy loop"])
    print(f"{corpus.name}, medians of {args.rounds} interleaved rounds\n")
    print("| command | median s (min-max) | x copy loop |")
    print("|---|---|---:|")
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"| {name} | {median:.2f} ({min(runs):.2f}-{max(runs):.2f}) | {median / copy:.2f} |")


if __name__ == "__main__":
    main()
