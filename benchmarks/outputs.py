"""Checks of a masked output: every line kept, no address of the corpus left in clear."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from pathlib import Path

from harness import Corpus, Tool, count_lines, run_tool

#: Runs of address characters standing alone (not glued to letters, digits, dots or colons).
_CANDIDATE = re.compile(rb"(?<![\w.:])[0-9A-Fa-f:.]*[.:][0-9A-Fa-f:.]*(?![\w.:])")


def _leaks(line: bytes, kind: str) -> int:
    """Addresses left in clear in a masked line of our corpora.

    A masked address is either written with X (ipmask's default style) or is the network
    address of its /24 or /44 (anonip's way, and ipmask's ``zero`` style).
    """
    if kind == "web":
        line = line.split(b" ", 1)[0]  # the user agent holds Chrome/120.0.0.0 on purpose
    found = 0
    for m in _CANDIDATE.finditer(line):
        try:
            addr = ipaddress.ip_address(m.group().decode("ascii"))
        except ValueError:
            continue  # a time of day, or an address written with X
        if isinstance(addr, ipaddress.IPv6Address) and addr.ipv4_mapped is not None:
            addr = addr.ipv4_mapped
        host_bits = 8 if addr.version == 4 else 84
        found += int(addr) & ((1 << host_bits) - 1) != 0
    return found


@dataclass
class Check:
    """What the output check of one command found."""

    lines_in: int
    lines_out: int
    leaks: int
    changed_outside: int  # web formats: lines changed after the client field

    @property
    def ok(self) -> bool:
        return self.lines_in == self.lines_out and self.leaks == 0 and self.changed_outside == 0


def check_output(tool: Tool, sample: Corpus, kind: str, work: Path) -> Check:
    out = work / "check.out"
    try:
        run_tool(tool, sample, stdout=out)
        leaks = changed = 0
        with sample.path.open("rb") as inp, out.open("rb") as got:
            for before, after in zip(inp, got, strict=False):
                leaks += _leaks(after, kind)
                if kind == "web" and tool.kind in ("ipmask", "baseline"):
                    changed += before.split(b" ", 1)[1] != after.split(b" ", 1)[1]
        return Check(sample.lines, count_lines(out), leaks, changed)
    finally:
        out.unlink(missing_ok=True)
