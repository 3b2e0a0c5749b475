#!/usr/bin/env python3
"""Side-by-side speed and memory of ipmask, a plain Python copy loop, anonip 1.1.0 and sed.

One command from a fresh clone:

    python3 benchmarks/compare.py

It makes two throwaway virtual environments under ``benchmarks/.work/`` (ignored by git): one
with ipmask installed from this checkout, one with anonip 1.1.0 from PyPI.  It writes seeded,
deterministic corpora there too (cached between runs), then times every command as a whole
process reading a file and writing to ``/dev/null``, interleaved over several rounds, and prints
medians.  Peak resident memory is each child's own ``ru_maxrss`` (``os.wait4``), not the maximum
over all children.

Sections (``--sections``, default ``speed,memory,pathological``; ``jobs`` on request), with
their run time on the 2-core development machine:

- ``speed``: 1,000,000 Apache ``combined`` lines and 1,000,000 Postfix/Dovecot lines; about
  3 minutes, most of it anonip.
- ``memory``: peak RSS from 100,000 to 10,000,000 lines, and for one 100 MiB line; about
  1.5 minutes once the 2.2 GB corpus is cached (making it takes about 40 s the first time).
- ``pathological``: 10 MiB of ``1.1.1.1...``, ``:::...``, ``ffff:ffff:...``, digit runs and
  mixtures, against ordinary log text of the same size, in the core and through the command;
  about 2 minutes.
- ``jobs``: ``--jobs 1`` against ``--jobs 2`` on a large file (``--jobs-size``, default 1 GiB,
  written under ``--jobs-dir`` and deleted afterwards); about 2 minutes for 1 GiB.

The processes are measured by ``harness.py``, outputs checked by ``outputs.py``, corpora made by
``corpora.py``.
Every ipmask output is checked before timing: one line out per line in, and the corpus's
addresses masked.  ``--strict`` exits 1 when a target is missed.

``--baseline REV`` also installs ipmask as committed at git revision REV (its own venv under
``benchmarks/.work/baselines/``, kept per commit) and times it in the same interleaved rounds as
this checkout's ipmask, each of its rows right after the matching current row: the speed section
adds a "current ÷ baseline" table per format and the target that no format got more than 5 %
slower; the memory section adds the baseline's peaks.  ``benchmarks/same_output.py`` checks
that the two write the same bytes.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

# The benchmarks folder is not a package: its modules import each other by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora
from harness import (
    HERE,
    Corpus,
    Envs,
    MiB,
    Series,
    Tool,
    checkout,
    commit_of,
    corpus,
    count_lines,
    head,
    interleave,
    machine_notes,
    make_envs,
    parallel_capacity,
    python_json,
    run_process,
    run_tool,
    same_file,
)
from outputs import check_output

#: The yardstick: the fastest per-line loop plain Python can run over a file.
COPY_LOOP = (
    "import sys\nout = sys.stdout.buffer\nfor line in sys.stdin.buffer:\n    out.write(line)\n"
)

#: sed keeping the first three octets of an IPv4 in the first field (IPv6 left as it is).
SED_SCRIPT = r"s/^([0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3})\.[0-9]{1,3}([ :])/\1.XXX\2/"

#: anonip's --regex mode uses re.match (anchored at the line start) and masks the groups of
#: that one match, so the pattern reaches the first and an optional second address of a line.
#: Addresses in these logs follow ``[``, ``=``, ``,``, ``smtp:`` or ``IPv6:`` and end before
#: ``]``, ``,``, ``)`` or ``>``.
_ANONIP_ADDR = r"(?:\d{1,3}\.){3}\d{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]*[0-9A-Fa-f]"
_ANONIP_LEAD = r"(?:[\[=,]|smtp:|IPv6:)"
ANONIP_MAIL_REGEX = (
    rf"^.*?{_ANONIP_LEAD}({_ANONIP_ADDR})[\]),>]"
    rf"(?:.*?{_ANONIP_LEAD}({_ANONIP_ADDR})[\]),>])?"
)

#: anonip counts the bits it removes; these keep what ipmask keeps (/24 and /44).
ANONIP_MASKS = ["--ipv4mask", "8", "--ipv6mask", "84"]

#: Targets from the performance issue.
TARGET_COMBINED = 1.5
TARGET_MAIL_ANY = 2.5
TARGET_VS_ANONIP = 20.0
TARGET_RSS_MIB = 40.0
TARGET_PATHOLOGICAL = 3.0
#: A refactor may cost at most 5 %: this checkout's time ÷ the --baseline revision's time.
TARGET_VS_BASELINE = 1.05


# -- the commands under test ------------------------------------------------------------------


#: ipmask's format per row, by corpus; None is the default (`any`).
IPMASK_ROWS: dict[str, tuple[str | None, ...]] = {
    "web": ("combined", None),
    "mail": (None, "postfix", "dovecot"),
}


def ipmask_programs(envs: Envs) -> list[tuple[str, str, tuple[str, ...], tuple[str, ...]]]:
    """Name, tool kind, command and formats of each ipmask that runs: this one, the baseline."""
    programs = []
    if envs.ipmask is not None:
        programs.append(("ipmask", "ipmask", tuple(envs.ipmask_argv), envs.formats))
    if envs.baseline is not None and envs.baseline.runs:
        b = envs.baseline
        programs.append((b.label, "baseline", b.argv, b.formats))
    return programs


def tools_for(envs: Envs, corpus_kind: str, *, log: Callable[[str], None]) -> list[Tool]:
    """Every command compared on the Apache (``web``) or the mail corpus."""
    tools = [Tool("python copy loop", "copy", (str(envs.python), "-c", COPY_LOOP), True)]
    for fmt in IPMASK_ROWS[corpus_kind]:
        # The baseline's row follows the current one, so the two run back to back in a round.
        for name, kind, argv, formats in ipmask_programs(envs):
            if fmt is None:
                tools.append(Tool(f"{name} (any)", kind, argv, False, "any"))
            elif fmt in formats:
                chosen = (*argv, "--format", fmt)
                tools.append(Tool(f"{name} --format {fmt}", kind, chosen, False, fmt))
            elif kind == "ipmask":
                log(f"this ipmask has no format {fmt!r} yet; its row is left out")
            else:
                log(f"{name} has no format {fmt!r}; its row is left out")
    anonip = str(envs.anonip)
    if corpus_kind == "web":
        tools.append(Tool("anonip 1.1.0 (column 1)", "anonip", (anonip, *ANONIP_MASKS), True))
        tools.append(Tool("sed -E (first field, IPv4)", "sed", ("sed", "-E", SED_SCRIPT), False))
    else:
        argv = (anonip, *ANONIP_MASKS, "--regex", ANONIP_MAIL_REGEX)
        tools.append(Tool("anonip 1.1.0 (--regex)", "anonip", argv, True))
    return tools


# -- statistics and tables --------------------------------------------------------------------


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"


def speed_table(series: list[Series]) -> str:
    rows = [
        "| corpus | command | lines/s | MB/s | x copy loop | anonip ÷ this | peak RSS MiB "
        "| median s (min-max) | CPU s | x copy loop (CPU) |",
        "|---|---|---:|---:|---:|---:|---:|---|---:|---:|",
    ]
    for s in series:
        copy = next(c for c in series if c.data is s.data and c.tool.kind == "copy")
        anonip = next((c for c in series if c.data is s.data and c.tool.kind == "anonip"), None)
        low, high = s.spread
        vs_anonip = f"{anonip.seconds / s.seconds:.1f}" if anonip else "-"
        rows.append(
            f"| {s.data.label} | `{s.tool.label}` | {fmt_rate(s.data.lines / s.seconds)} "
            f"| {s.data.size / 1e6 / s.seconds:.0f} | {s.seconds / copy.seconds:.2f} "
            f"| {vs_anonip} | {s.rss_mib:.1f} | {s.seconds:.2f} ({low:.2f}-{high:.2f}) "
            f"| {s.cpu:.2f} | {s.cpu / copy.cpu:.2f} |"
        )
    return "\n".join(rows)


@dataclass
class Verdict:
    """One target and whether this run met it."""

    target: str
    measured: str
    met: bool

    def line(self) -> str:
        return f"| {self.target} | {self.measured} | {'met' if self.met else '**not met**'} |"


def speed_verdicts(series: list[Series]) -> list[Verdict]:
    out = []

    def find(label: str, tool: str) -> Series | None:
        return next((s for s in series if s.data.label == label and s.tool.label == tool), None)

    for label, tool, limit in (
        ("Apache combined", "ipmask --format combined", TARGET_COMBINED),
        ("Postfix+Dovecot", "ipmask (any)", TARGET_MAIL_ANY),
    ):
        s, copy = find(label, tool), find(label, "python copy loop")
        if s and copy:
            ratio = s.seconds / copy.seconds
            out.append(
                Verdict(
                    f"`{tool}` on {label} ≤ {limit}x copy loop", f"{ratio:.2f}x", ratio <= limit
                )
            )
    for s in series:
        if s.tool.kind != "ipmask":
            continue
        anonip = next(c for c in series if c.data is s.data and c.tool.kind == "anonip")
        factor = anonip.seconds / s.seconds
        out.append(
            Verdict(
                f"`{s.tool.label}` on {s.data.label} ≥ {TARGET_VS_ANONIP:.0f}x faster than anonip",
                f"{factor:.1f}x",
                factor >= TARGET_VS_ANONIP,
            )
        )
        out.append(
            Verdict(
                f"`{s.tool.label}` on {s.data.label} peak RSS ≤ {TARGET_RSS_MIB:.0f} MiB",
                f"{s.rss_mib:.1f} MiB",
                s.rss_mib <= TARGET_RSS_MIB,
            )
        )
    return out


def baseline_pairs(series: list[Series]) -> list[tuple[Series, Series]]:
    """Each current ipmask row with the baseline's row for the same corpus and format."""
    return [
        (s, b)
        for s in series
        if s.tool.kind == "ipmask"
        for b in series
        if b.tool.kind == "baseline"
        and b.data is s.data
        and b.tool.ipmask_format == s.tool.ipmask_format
    ]


def baseline_table(pairs: list[tuple[Series, Series]], label: str) -> str:
    rows = [
        f"| corpus | format | `ipmask` median s | `{label}` median s | current ÷ baseline "
        "| per round (min-max) | CPU current ÷ baseline |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for s, b in pairs:
        # The two ran back to back in every round: a round's ratio is little moved by the
        # load a shared machine had then, so its spread shows how far the median can be trusted.
        per_round = [x.seconds / y.seconds for x, y in zip(s.runs, b.runs, strict=True)]
        rows.append(
            f"| {s.data.label} | `{s.tool.ipmask_format}` | {s.seconds:.2f} | {b.seconds:.2f} "
            f"| {s.seconds / b.seconds:.3f} | {min(per_round):.3f}-{max(per_round):.3f} "
            f"| {s.cpu / b.cpu:.3f} |"
        )
    return "\n".join(rows)


def baseline_verdict(pairs: list[tuple[Series, Series]], label: str) -> Verdict:
    worst, s, _ = max(((s.seconds / b.seconds, s, b) for s, b in pairs), key=lambda t: t[0])
    return Verdict(
        f"no format more than {TARGET_VS_BASELINE * 100 - 100:.0f} % slower than `{label}` "
        f"(median time current ÷ baseline ≤ {TARGET_VS_BASELINE:.2f}, {len(pairs)} rows)",
        f"worst {worst:.3f}x (`{s.tool.ipmask_format}` on {s.data.label})",
        worst <= TARGET_VS_BASELINE,
    )


# -- sections ---------------------------------------------------------------------------------


@dataclass
class Report:
    """Everything a run prints at the end and saves as JSON."""

    sections: dict[str, str] = field(default_factory=dict)
    verdicts: list[Verdict] = field(default_factory=list)
    checks_ok: bool = True
    data: dict[str, object] = field(default_factory=dict)


def section_speed(
    envs: Envs, args: argparse.Namespace, report: Report, log: Callable[[str], None]
) -> None:
    work: Path = args.work
    web = corpus(work, "combined", args.lines, "Apache combined", log)
    mail = corpus(work, "mail", args.lines, "Postfix+Dovecot", log)
    series: list[Series] = []
    check_rows = [
        "| corpus | command | lines in | lines out | addresses left in clear "
        "| lines changed outside the client field | ok |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for data, kind in ((web, "web"), (mail, "mail")):
        sample = head(
            data,
            min(args.check_lines, data.lines),
            work / "corpora" / f"{data.path.stem}.head{args.check_lines}",
        )
        for tool in tools_for(envs, kind, log=log):
            series.append(Series(tool, data))
            if tool.kind in ("ipmask", "baseline", "anonip"):
                log(f"checking the output of {tool.label} on {sample.lines:,} {data.label} lines")
                c = check_output(tool, sample, kind, work)
                report.checks_ok &= c.ok or tool.kind != "ipmask"
                check_rows.append(
                    f"| {data.label} | `{tool.label}` | {c.lines_in:,} | {c.lines_out:,} "
                    f"| {c.leaks:,} | {c.changed_outside:,} | {'yes' if c.ok else 'NO'} |"
                )
    log(
        f"timing {len(series)} commands, {args.rounds} interleaved rounds "
        f"(anonip: {args.anonip_rounds})"
    )
    interleave(
        series,
        max(args.rounds, args.anonip_rounds),
        rounds_for=lambda s: args.anonip_rounds if s.tool.kind == "anonip" else args.rounds,
        log=log,
    )
    against = ""
    pairs = baseline_pairs(series)
    if envs.baseline is not None:
        label = envs.baseline.label
        against = (
            f"\n\nAgainst the baseline `{label}` ({args.baseline}), timed in the same rounds, "
            "each right after the current row:\n\n"
            + (baseline_table(pairs, label) if pairs else "no row to compare (see the log).")
        )
    report.sections["speed"] = (
        f"Corpora: {web.lines:,} Apache combined lines ({web.size / 1e6:.0f} MB) and "
        f"{mail.lines:,} Postfix+Dovecot lines ({mail.size / 1e6:.0f} MB); medians of "
        f"{args.rounds} rounds ({args.anonip_rounds} for anonip).\n\n"
        + speed_table(series)
        + against
        + "\n\nOutput checks (first lines of each corpus):\n\n"
        + "\n".join(check_rows)
    )
    report.verdicts += speed_verdicts(series)
    if pairs:
        assert envs.baseline is not None
        report.verdicts.append(baseline_verdict(pairs, envs.baseline.label))
    report.data["speed"] = [
        {
            "corpus": s.data.label,
            "command": s.tool.label,
            "kind": s.tool.kind,
            "argv": list(s.tool.argv),
            "seconds": [r.seconds for r in s.runs],
            "maxrss_kib": [r.maxrss_kib for r in s.runs],
            "cpu_seconds": [r.cpu_seconds for r in s.runs],
            "lines": s.data.lines,
            "bytes": s.data.size,
        }
        for s in series
    ]


def one_long_line(path: Path, size: int, source: Corpus) -> Path:
    """``size`` bytes of ordinary log text with no newline but a final one."""
    if not path.exists() or path.stat().st_size != size:
        with source.path.open("rb") as inp, path.open("wb") as out:
            left = size - 1
            while left > 0:
                chunk = inp.read(min(left, MiB))
                if not chunk:
                    inp.seek(0)
                    continue
                out.write(chunk.replace(b"\n", b" "))
                left -= len(chunk)
            out.write(b"\n")
    return path


def section_memory(
    envs: Envs, args: argparse.Namespace, report: Report, log: Callable[[str], None]
) -> None:
    if envs.ipmask is None:
        report.sections["memory"] = "ipmask's command does not run yet: nothing measured."
        return
    work: Path = args.work
    rows = [
        "| input | command | lines | MB | seconds | peak RSS MiB |",
        "|---|---|---:|---:|---:|---:|",
    ]
    peaks: list[float] = []
    # (input, options) -> tool kind ("ipmask" or "baseline") -> peak MiB, for the ratio
    against: dict[tuple[str, tuple[str, ...]], dict[str, float]] = {}
    programs = [p for p in ipmask_programs(envs) if p[1] == "ipmask" or "combined" in p[3]]

    def tools(extra: tuple[str, ...]) -> list[Tool]:
        return [
            Tool(
                " ".join((name, *extra)) if extra else f"{name} (any)",
                kind,
                (*argv, *extra),
                via_stdin=False,
            )
            for name, kind, argv, _ in programs
        ]

    for lines in args.memory_lines:
        data = corpus(work, "combined", lines, "Apache combined", log)
        for extra in (("--format", "combined"), ()):
            for tool in tools(extra):
                log(f"memory: {tool.label} on {lines:,} lines")
                m = run_tool(tool, data)
                if tool.kind == "ipmask":
                    peaks.append(m.maxrss_kib / 1024)
                against.setdefault((f"{lines:,} lines", extra), {})[tool.kind] = m.maxrss_kib / 1024
                rows.append(
                    f"| Apache combined | `{tool.label}` | {lines:,} | {data.size / 1e6:,.0f} "
                    f"| {m.seconds:.2f} | {m.maxrss_kib / 1024:.1f} |"
                )
    mail = corpus(work, "mail", args.lines, "Postfix+Dovecot", log)
    long_line = one_long_line(work / "corpora" / "one-100MiB-line.log", 100 * MiB, mail)
    for extra in ((), ("--format", "combined")):
        for tool in tools(extra):
            log(f"memory: {tool.label} on one 100 MiB line")
            data = Corpus("one line", long_line, 1, long_line.stat().st_size)
            out = work / "long-line.out"
            try:
                m = run_tool(tool, data, stdout=out)
                same_lines = count_lines(out) == 1
            finally:
                out.unlink(missing_ok=True)
            if tool.kind == "ipmask":
                report.checks_ok &= same_lines
                peaks.append(m.maxrss_kib / 1024)
            against.setdefault(("one 100 MiB line", extra), {})[tool.kind] = m.maxrss_kib / 1024
            rows.append(
                f"| one 100 MiB line{'' if same_lines else ' (LINE COUNT WRONG)'} "
                f"| `{tool.label}` | 1 | {data.size / 1e6:,.0f} | {m.seconds:.2f} "
                f"| {m.maxrss_kib / 1024:.1f} |"
            )
    ratios = [
        (p["ipmask"] / p["baseline"], name, options)
        for (name, options), p in against.items()
        if "ipmask" in p and "baseline" in p
    ]
    if ratios and envs.baseline is not None:
        ratio, name, options = max(ratios)
        report.verdicts.append(
            Verdict(
                f"peak RSS at most {TARGET_VS_BASELINE * 100 - 100:.0f} % above "
                f"`{envs.baseline.label}` on every input ({len(ratios)} pairs)",
                f"worst {ratio:.3f}x (`{' '.join(options) or '(any)'}` on {name})",
                ratio <= TARGET_VS_BASELINE,
            )
        )
    worst = max(peaks)
    report.verdicts.append(
        Verdict(
            f"peak RSS ≤ {TARGET_RSS_MIB:.0f} MiB from {min(args.memory_lines):,} to "
            f"{max(args.memory_lines):,} lines and for one 100 MiB line",
            f"{min(peaks):.1f}-{worst:.1f} MiB",
            worst <= TARGET_RSS_MIB,
        )
    )
    report.sections["memory"] = "\n".join(rows)


#: Pathological inputs: name -> the unit repeated to fill the size.
PATHOLOGICAL = {
    "1.1.1.1.1…": b"1.",
    ":::::…": b":",
    "ffff:ffff:…": b"ffff:",
    "digit runs": b"1234567890",
    "1:1:1:1…": b"1:",
    "1.1.1.1:1.1.1.1:…": b"1.1.1.1:",
}

_CORE_TIMER = """
import json, sys, time
from ipmask.masking._masker import Masker
from ipmask.formats import get_filter
rounds = int(sys.argv[1])
out = {}
for path in sys.argv[2:]:
    data = open(path, "rb").read()
    best = []
    for _ in range(rounds):
        # a fresh masker each time: no cache carried over from the previous round
        masker = Masker()
        t = time.perf_counter()
        result = masker.mask_bytes(data)
        best.append(time.perf_counter() - t)
        assert result.count(b"\\n") == data.count(b"\\n")
    best.sort()
    out[path] = best[len(best) // 2]
print(json.dumps(out))
"""


def filled(path: Path, unit: bytes, size: int, *, line_length: int | None) -> Path:
    """``size`` bytes of ``unit`` repeated, as one line or as lines of ``line_length``."""
    if not path.exists() or path.stat().st_size != size:
        body = (unit * (size // len(unit) + 1))[: size - 1]
        if line_length:
            body = b"\n".join(
                body[i : i + line_length - 1] for i in range(0, len(body), line_length)
            )[: size - 1]
        path.write_bytes(body + b"\n")
    return path


def section_pathological(
    envs: Envs, args: argparse.Namespace, report: Report, log: Callable[[str], None]
) -> None:
    work: Path = args.work
    folder = work / "corpora" / "pathological"
    folder.mkdir(parents=True, exist_ok=True)
    mail = corpus(work, "mail", args.lines, "Postfix+Dovecot", log)
    inputs: dict[str, dict[int, Path]] = {}
    for size_mib in (1, 10):
        size = size_mib * MiB
        ordinary = folder / f"ordinary-{size_mib}MiB.log"
        if not ordinary.exists():
            with mail.path.open("rb") as inp:
                ordinary.write_bytes(inp.read(size)[: size - 1] + b"\n")
        inputs.setdefault("ordinary log text (lines)", {})[size_mib] = ordinary
        inputs.setdefault("ordinary log text (one line)", {})[size_mib] = one_long_line(
            folder / f"ordinary-one-line-{size_mib}MiB.log", size, mail
        )
        for i, (name, unit) in enumerate(PATHOLOGICAL.items()):
            inputs.setdefault(f"{name} (one line)", {})[size_mib] = filled(
                folder / f"p{i}-{size_mib}MiB.log", unit, size, line_length=None
            )
            inputs.setdefault(f"{name} (200-byte lines)", {})[size_mib] = filled(
                folder / f"p{i}-lines-{size_mib}MiB.log", unit, size, line_length=200
            )
    log("pathological: timing the core (Masker.mask_bytes on the whole input)")
    paths = [str(p) for sizes in inputs.values() for p in sizes.values()]
    core = python_json(envs.python, _CORE_TIMER, str(args.rounds), *paths)
    assert isinstance(core, dict)
    cli: dict[str, float] = {}
    if envs.ipmask is not None:
        log("pathological: timing `ipmask` on the 10 MiB inputs")
        for name, sizes in inputs.items():
            data = Corpus(name, sizes[10], 0, sizes[10].stat().st_size)
            tool = Tool("ipmask (any)", "ipmask", tuple(envs.ipmask_argv), via_stdin=False)
            cli[name] = statistics.median(run_tool(tool, data).seconds for _ in range(args.rounds))
    base_core = core[str(inputs["ordinary log text (lines)"][10])]
    base_cli = cli.get("ordinary log text (lines)")
    rows = [
        "| 10 MiB of | core s (1 MiB) | core s (10 MiB) | x ordinary (core) "
        "| `ipmask` s | x ordinary (`ipmask`) |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    worst = 0.0
    for name, sizes in inputs.items():
        c1, c10 = core[str(sizes[1])], core[str(sizes[10])]
        ratio = c10 / base_core
        whole = cli.get(name)
        whole_ratio = whole / base_cli if whole is not None and base_cli else None
        worst = max(worst, ratio, whole_ratio or 0.0)
        rows.append(
            f"| {name} | {c1:.3f} | {c10:.3f} | {ratio:.2f} | "
            + (f"{whole:.3f} | {whole_ratio:.2f} |" if whole_ratio is not None else "- | - |")
        )
    report.verdicts.append(
        Verdict(
            f"pathological input within {TARGET_PATHOLOGICAL:.0f}x of ordinary log text",
            f"worst {worst:.2f}x",
            worst <= TARGET_PATHOLOGICAL,
        )
    )
    report.sections["pathological"] = (
        f"Medians of {args.rounds} runs. The core column is `Masker().mask_bytes(data)` on the "
        "whole input at once (a fresh Masker each run); 1 MiB against 10 MiB shows the time "
        "is linear in the size. `ipmask` is the whole command (start-up included).\n\n"
        + "\n".join(rows)
    )
    report.data["pathological"] = {"core": core, "cli": cli}


def section_jobs(
    envs: Envs, args: argparse.Namespace, report: Report, log: Callable[[str], None]
) -> None:
    if envs.ipmask is None:
        report.sections["jobs"] = "ipmask's command does not run yet: nothing measured."
        return
    folder = Path(tempfile.mkdtemp(prefix="ipmask-jobs-", dir=args.jobs_dir))
    try:
        # ~218 bytes per combined line
        lines = int(args.jobs_size / 218)
        log(f"jobs: writing {lines:,} lines (~{args.jobs_size / MiB:,.0f} MiB) under {folder}")
        path = corpora.write(folder / "big.log", "combined", lines)
        data = Corpus("Apache combined", path, lines, path.stat().st_size)
        tools = [Tool("python copy loop", "copy", (str(envs.python), "-c", COPY_LOOP), True)]
        for n in (1, 2):
            tools.append(
                Tool(
                    f"ipmask --format combined --jobs {n}",
                    "ipmask",
                    (*envs.ipmask_argv, "--format", "combined", "--jobs", str(n)),
                    via_stdin=False,
                )
            )
        log("jobs: checking that --jobs 2 writes the same bytes as --jobs 1")
        outs = []
        for tool in tools[1:]:
            out = folder / f"out-{len(outs)}"
            run_tool(tool, data, stdout=out)
            outs.append(out)
        same = same_file(outs[0], outs[1])
        for out in outs:
            out.unlink()
        report.checks_ok &= same
        series = [Series(t, data) for t in tools]
        capacity: list[float] = []
        interleave(
            series,
            args.rounds,
            rounds_for=lambda _s: args.rounds,
            log=log,
            # The machine is shared: measure what two busy processes get in each round too.
            before_round=lambda: capacity.append(parallel_capacity(envs.python)),
        )
        one = series[1].seconds
        rows = [
            "| command | median s (min-max) | lines/s | MB/s | x copy loop | speed-up "
            "| CPU s (all processes) | peak RSS MiB (largest process) |",
            "|---|---|---:|---:|---:|---:|---:|---:|",
        ]
        for s in series:
            low, high = s.spread
            cpu = s.cpu
            rows.append(
                f"| `{s.tool.label}` | {s.seconds:.2f} ({low:.2f}-{high:.2f}) "
                f"| {fmt_rate(lines / s.seconds)} | {data.size / 1e6 / s.seconds:.0f} "
                f"| {s.seconds / series[0].seconds:.2f} | {one / s.seconds:.2f} "
                f"| {cpu:.2f} | {s.rss_mib:.1f} |"
            )
        rounds = [
            "| round | two busy processes got (CPUs) | `--jobs 1` s | `--jobs 2` s | speed-up "
            "| `--jobs 2` CPU s ÷ wall s |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for number, (cap, one_run, two_run) in enumerate(
            zip(capacity, series[1].runs, series[2].runs, strict=True), start=1
        ):
            rounds.append(
                f"| {number} | {cap:.2f} | {one_run.seconds:.2f} | {two_run.seconds:.2f} "
                f"| {one_run.seconds / two_run.seconds:.2f} "
                f"| {two_run.cpu_seconds / two_run.seconds:.2f} |"
            )
        rows += ["", "Round by round:", "", *rounds]
        report.sections["jobs"] = (
            f"{lines:,} Apache combined lines ({data.size / MiB:,.0f} MiB), medians of "
            f"{args.rounds} rounds; `--jobs 2` output identical to `--jobs 1`: "
            f"{'yes' if same else 'NO'}. Two busy processes got "
            f"{statistics.median(capacity):.2f} CPUs (median; "
            f"{min(capacity):.2f}-{max(capacity):.2f} over the rounds; 2.00 is two free "
            "cores).\n\n" + "\n".join(rows)
        )
        report.data["jobs"] = {
            "capacity": capacity,
            "runs": {
                s.tool.label: [(r.seconds, r.cpu_seconds, r.maxrss_kib) for r in s.runs]
                for s in series
            },
        }
    finally:
        shutil.rmtree(folder, ignore_errors=True)


SECTIONS: dict[str, Callable[[Envs, argparse.Namespace, Report, Callable[[str], None]], None]] = {
    "speed": section_speed,
    "memory": section_memory,
    "pathological": section_pathological,
    "jobs": section_jobs,
}


# -- main -------------------------------------------------------------------------------------


def _size(text: str) -> int:
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    if text and text[-1] in units:
        return int(float(text[:-1]) * units[text[-1]])
    return int(text)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--sections",
        default="speed,memory,pathological",
        help="comma-separated: speed, memory, pathological, jobs (default: %(default)s)",
    )
    p.add_argument("--rounds", type=int, default=5, help="timed rounds (default: %(default)s)")
    p.add_argument(
        "--anonip-rounds",
        type=int,
        default=3,
        help="rounds for anonip, ~20 s each (default: %(default)s)",
    )
    p.add_argument(
        "--lines", type=int, default=1_000_000, help="lines per speed corpus (default: %(default)s)"
    )
    p.add_argument(
        "--check-lines",
        type=int,
        default=100_000,
        help="lines whose output is checked before timing (default: %(default)s)",
    )
    p.add_argument(
        "--memory-lines",
        default="100000,1000000,10000000",
        type=lambda s: [int(x) for x in s.split(",")],
        help="corpus sizes for the memory section (default: %(default)s)",
    )
    p.add_argument(
        "--jobs-size",
        type=_size,
        default="1GiB",
        help="file size for the jobs section (default: %(default)s)",
    )
    p.add_argument(
        "--jobs-dir",
        default=tempfile.gettempdir(),
        help="where the jobs section writes its file (default: %(default)s)",
    )
    p.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter for the virtual environments (default: this one)",
    )
    p.add_argument(
        "--work",
        type=Path,
        default=HERE / ".work",
        help="folder for venvs, corpora and results (default: benchmarks/.work)",
    )
    p.add_argument(
        "--baseline",
        metavar="REV",
        help="also time ipmask as committed at this git revision (a commit, tag or branch) in "
        "the same rounds, and compare per format",
    )
    p.add_argument("--strict", action="store_true", help="exit 1 when a target is not met")
    args = p.parse_args(argv)
    args.sections = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = set(args.sections) - set(SECTIONS)
    if unknown:
        p.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.work = args.work.resolve()
    args.work.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    try:
        envs = make_envs(args.work, args.python, log=log, baseline=args.baseline)
    except ValueError as e:
        print(f"compare.py: {e}", file=sys.stderr)
        return 2
    floor = run_process(["true"]).maxrss_kib / 1024
    report = Report()
    timings = {}
    for name in args.sections:
        t = time.monotonic()
        SECTIONS[name](envs, args, report, log)
        timings[name] = time.monotonic() - t
        log(f"section {name} took {timings[name]:.0f} s")
    command = "python3 benchmarks/compare.py" + "".join(
        f" {a}" for a in (sys.argv[1:] if argv is None else argv)
    )
    text = [
        f"Command: `{command}`",
        f"Machine: {machine_notes()}",
        f"Checkout: {checkout()}",
        *(
            [f"Baseline: `{envs.baseline.label}` = {args.baseline} ({commit_of(args.baseline)})"]
            if envs.baseline is not None
            else []
        ),
        f"Peak RSS floor of the launcher (`true`): {floor:.1f} MiB",
        "",
    ]
    for name, body in report.sections.items():
        text += [f"### {name} ({timings[name]:.0f} s)", "", body, ""]
    if report.verdicts:
        text += ["### targets", "", "| target | measured | |", "|---|---|---|"]
        text += [v.line() for v in report.verdicts]
    text.append("")
    text.append("All output checks passed." if report.checks_ok else "OUTPUT CHECKS FAILED.")
    output = "\n".join(text)
    print(output)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (args.work / f"results-{stamp}.md").write_text(output + "\n")
    (args.work / f"results-{stamp}.json").write_text(
        json.dumps(
            {
                "command": command,
                "machine": machine_notes(),
                "checkout": checkout(),
                "baseline": (
                    {"rev": args.baseline, "commit": commit_of(args.baseline)}
                    if args.baseline
                    else None
                ),
                "data": report.data,
                "verdicts": [v.__dict__ for v in report.verdicts],
                "checks_ok": report.checks_ok,
            },
            indent=1,
        )
    )
    if not report.checks_ok:
        return 1
    if args.strict and not all(v.met for v in report.verdicts):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
