#!/usr/bin/env python3
"""Whether this checkout's ipmask writes byte for byte what ipmask at a git revision writes.

One command, for a refactor that must change no output byte:

    python3 benchmarks/same_output.py --baseline REV

It installs ipmask as committed at REV (``git archive`` into ``benchmarks/.work/baselines/``,
with a venv there, both kept per commit and shared with ``compare.py --baseline``) and ipmask
from this working tree (a venv under ``benchmarks/.work/same-output/``, reinstalled on every
run, not editable), runs both commands on the same inputs with the same options, and compares
their standard output, standard error and exit code, and with ``--in-place`` the rewritten
files. The time and rate at the end of the ``--stats`` summary are left out of the comparison.
A table says which runs are the same, and each difference is shown by its first differing
lines. Exit 0 when everything is the same, 1 when anything differs, 2 when the comparison could
not be made.

Every input is run in every format the baseline knows (its own ``FORMAT_NAMES``):

- ``docs/examples/access.log``: the plain stream, standard input from a pipe, ``--stats``,
  ``--check``, ``--in-place`` (on a copy), ``--style zero``, ``--ipv4-prefix 16
  --ipv6-prefix 48``, ``--hostnames`` and ``--no-hostnames``; and, outside the format loop,
  ``--help`` and a few command lines that must fail the same way;
- ``tests/formats/golden/*.in.log``: the same, the plain stream and the pipe one file per run,
  the other options all files in one run (each file is still an input of its own to ipmask);
  a run that differs is repeated file by file to name the files;
- the fail2ban samples at ``../shared/corpus/fail2ban`` beside the checkout (skipped, with a
  note, when absent) and every ``--corpus-dir``: all files of a folder in one run, with the
  same options but the pipe, also narrowed down to files when a run differs;
- seeded corpora from ``corpora.py``: ``--lines`` (200,000) Apache ``combined`` lines (plain,
  ``--stats``, ``--in-place``, ``--jobs 2``, and ``--check`` on the first ``--small-lines``)
  and Postfix/Dovecot lines (plain, pipe, ``--jobs 2``), and ``--small-lines`` (20,000) lines
  of every other generator (plain).

``--quick`` keeps the golden files, the docs example and the command lines. On the 2-core
development machine, with two runs at a time (``--workers``), ``--quick`` takes about 1.5
minutes and the whole comparison about 4.5 when nothing differs (a first run also writes the
corpora and installs the baseline, about 30 s); narrowing differences down to files adds up to
a few minutes. The report is printed and saved as
``benchmarks/.work/same-output/report-<time>.md``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

# The benchmarks folder is not a package: its modules import each other by name.
sys.path.insert(0, str(Path(__file__).resolve().parent))

import corpora
from harness import (
    HERE,
    ROOT,
    Installed,
    checkout,
    child_env,
    commit_of,
    corpus,
    count_lines,
    head,
    install_checkout,
    install_revision,
    machine_notes,
    revision_tree,
)

#: A run taking longer than this is stopped and counts as different: a hang is a change too.
TIMEOUT = 600
#: Differing lines shown per output of one run.
SHOWN_LINES = 3
#: Runs of a whole folder that differ and are narrowed down to files (the rest are not, so
#: that a change that touches everything does not take an hour to report).
NARROWED_RUNS = 6
#: Files named per narrowed-down run.
NARROWED_FILES = 5


# -- what is run ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Mode:
    """Options a run adds to ``--format`` and how it gets its input."""

    name: str
    options: tuple[str, ...]
    # "files": FILE arguments; "pipe": the input on standard input through a pipe;
    # "in-place": FILE arguments naming copies, which are compared afterwards; "alone": no input
    how: str = "files"


PLAIN = Mode("plain", ())
PIPE = Mode("stdin (pipe)", (), "pipe")
STATS = Mode("--stats", ("--stats",))
CHECK = Mode("--check", ("--check",))
IN_PLACE = Mode("--in-place", ("--in-place",), "in-place")
JOBS = Mode("--jobs 2", ("--jobs", "2"))
ZERO = Mode("--style zero", ("--style", "zero"))
PREFIXES = Mode("--ipv4-prefix 16 --ipv6-prefix 48", ("--ipv4-prefix", "16", "--ipv6-prefix", "48"))
HOSTNAMES = Mode("--hostnames", ("--hostnames",))
NO_HOSTNAMES = Mode("--no-hostnames", ("--no-hostnames",))

#: What a small file goes through, in every format.
FILE_MODES = (PLAIN, PIPE, STATS, CHECK, IN_PLACE, ZERO, PREFIXES, HOSTNAMES, NO_HOSTNAMES)
#: What a folder goes through as one run over all its files: each file is still read as an
#: input of its own (``auto`` decides per input), and one process start for all of them keeps
#: the whole comparison within minutes. A pipe of them all would only repeat the files.
FOLDER_MODES = tuple(m for m in FILE_MODES if m is not PIPE)
#: The golden files go through these one by one, and through the rest as a folder.
GOLDEN_ALONE = (PLAIN, PIPE)
GOLDEN_TOGETHER = tuple(m for m in FOLDER_MODES if m not in GOLDEN_ALONE)

#: Runs without --format, on the docs example: a refactor of the command line must keep its
#: help and fail the same way on bad usage and missing files. --in-place --check runs on a copy,
#: in case the new command no longer refuses it.
COMMAND_LINES = (
    Mode("--help", ("--help",), "alone"),
    Mode("--format no-such-format", ("--format", "no-such-format")),
    Mode("--ipv4-prefix 13 (style x)", ("--ipv4-prefix", "13")),
    Mode("--in-place --check", ("--in-place", "--check"), "in-place"),
    Mode("a missing file before it", ("no-such-file.log",)),
)


@dataclass(frozen=True)
class Input:
    """One file, or all files of a folder, given to one run."""

    label: str
    group: str  # the row of the summary table it is counted in
    base: Path  # the folder the in-place copies keep their names relative to
    paths: tuple[Path, ...]
    lines: int
    modes: tuple[Mode, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(str(p.relative_to(self.base)) for p in self.paths)

    def part(self, paths: tuple[Path, ...]) -> Input:
        """Some of these files as an input of their own."""
        if len(paths) == 1:
            label = f"{self.label}/{paths[0].relative_to(self.base)}"
        else:
            label = f"{self.label} ({len(paths)} of its files)"
        lines = sum(count_lines(p) for p in paths)
        return Input(label, self.group, self.base, paths, lines, self.modes)


@dataclass(frozen=True)
class Job:
    """One comparison: the same command line for both ipmasks."""

    input: Input
    mode: Mode
    fmt: str | None  # None: no --format option

    @property
    def title(self) -> str:
        return " ".join(
            part
            for part in (
                self.input.label,
                f"--format {self.fmt}" if self.fmt else "",
                self.mode.name,
            )
            if part
        )


@dataclass(frozen=True)
class Outcome:
    """What one run left: exit code (None when it was stopped), outputs, rewritten files."""

    code: int | None
    stdout: bytes
    stderr: bytes
    files: tuple[bytes | None, ...] = ()  # None: the file was gone afterwards


def run(program: Installed, job: Job, scratch: Path) -> Outcome:
    """Run ``program`` as ``job`` says; ``scratch`` is an empty folder of this run's own."""
    argv = [str(program.command)]
    if job.fmt is not None:
        argv += ["--format", job.fmt]
    argv += job.mode.options
    source, how = job.input, job.mode.how
    # Paths relative to the folder the command runs in: messages and --check lines then name
    # the files the same way for both commands.
    cwd, data = ROOT, None
    stdin: int | None = subprocess.DEVNULL
    if how == "files":
        argv += [os.path.relpath(p, ROOT) for p in source.paths]
    elif how == "pipe":
        stdin, data = None, b"".join(p.read_bytes() for p in source.paths)
    elif how == "in-place":
        cwd = scratch
        for name, path in zip(source.names, source.paths, strict=True):
            (scratch / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, scratch / name)
        argv += source.names
    try:
        done = subprocess.run(
            argv,
            cwd=cwd,
            env=child_env(),
            stdin=stdin,
            input=data,
            capture_output=True,
            timeout=TIMEOUT,
            check=False,
        )
    except subprocess.TimeoutExpired as e:
        return Outcome(None, e.stdout or b"", e.stderr or b"")
    files: tuple[bytes | None, ...] = ()
    if how == "in-place":
        files = tuple(
            (scratch / n).read_bytes() if (scratch / n).exists() else None for n in source.names
        )
    return Outcome(done.returncode, done.stdout, done.stderr, files)


# -- comparing --------------------------------------------------------------------------------

#: The end of the --stats summary: time and rate differ from run to run.
_TIMING = re.compile(rb", [^,\n]* s, [^,\n]* lines/s$", re.MULTILINE)


def _lines(data: bytes) -> list[bytes]:
    """``data`` cut after each newline (only there: a lone ``\\r`` is part of a line)."""
    parts = data.split(b"\n")
    lines = [p + b"\n" for p in parts[:-1]]
    if parts[-1]:
        lines.append(parts[-1])
    return lines


def _show(line: bytes | None) -> str:
    if line is None:
        return "(no such line)"
    text = repr(line)[2:-1]  # escapes invalid UTF-8, control bytes and the line end alike
    return text if len(text) <= 300 else text[:300] + f"... ({len(line):,} bytes)"


def differences(what: str, before: bytes | None, after: bytes | None) -> list[str]:
    """How ``after`` differs from ``before``, first differing lines first; [] when equal."""
    if before == after:
        return []
    if before is None or after is None:
        return [
            f"{what}: {'missing' if after is None else 'there'} after the current run, "
            f"{'missing' if before is None else 'there'} after the baseline run"
        ]
    a, b = _lines(before), _lines(after)
    # ipmask keeps every line where it was, so lines are compared by position.
    differing = [i for i in range(max(len(a), len(b))) if a[i : i + 1] != b[i : i + 1]]
    notes = [
        f"{what}: {len(differing):,} of {max(len(a), len(b)):,} lines differ"
        + (f" (baseline {len(a):,} lines, current {len(b):,})" if len(a) != len(b) else "")
    ]
    for i in differing[:SHOWN_LINES]:
        notes.append(f"  line {i + 1:,}:")
        notes.append(f"    baseline: {_show(a[i] if i < len(a) else None)}")
        notes.append(f"    current:  {_show(b[i] if i < len(b) else None)}")
    return notes


def _code(code: int | None) -> str:
    return f"stopped after {TIMEOUT} s" if code is None else str(code)


def compare(job: Job, before: Outcome, after: Outcome) -> list[str]:
    """Every difference between the two runs of ``job``; [] when they are the same."""
    notes = []
    if before.code != after.code:
        notes.append(f"exit code: baseline {_code(before.code)}, current {_code(after.code)}")
    notes += differences("standard output", before.stdout, after.stdout)
    notes += differences(
        "standard error (time and rate left out)",
        _TIMING.sub(b"", before.stderr),
        _TIMING.sub(b"", after.stderr),
    )
    for name, x, y in zip(job.input.names, before.files, after.files, strict=False):
        notes += differences(f"{name} after --in-place", x, y)
    return notes


@dataclass
class Result:
    job: Job
    notes: list[str]
    narrowed: list[Result] = field(default_factory=list)  # per file, for a folder's run
    narrow_note: str = ""

    @property
    def same(self) -> bool:
        return not self.notes


class Comparer:
    """Runs both ipmasks for each job, two jobs at a time, and keeps what differed."""

    def __init__(self, baseline: Installed, current: Installed, scratch: Path) -> None:
        self.baseline, self.current, self.scratch = baseline, current, scratch
        self._lock = threading.Lock()
        self._next = 0
        self._narrowed = 0

    def _folder(self) -> Path:
        with self._lock:
            self._next += 1
            number = self._next
        folder = self.scratch / str(number)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return folder

    def one(self, job: Job) -> Result:
        folder = self._folder()
        try:
            (folder / "baseline").mkdir()
            (folder / "current").mkdir()
            before = run(self.baseline, job, folder / "baseline")
            after = run(self.current, job, folder / "current")
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return Result(job, compare(job, before, after))

    def __call__(self, job: Job) -> Result:
        result = self.one(job)
        if result.same or len(job.input.paths) < 2:
            return result
        with self._lock:
            self._narrowed += 1
            narrow = self._narrowed <= NARROWED_RUNS
        if not narrow:
            result.narrow_note = (
                f"not narrowed down to single files: only the first {NARROWED_RUNS} "
                "differing folder runs are"
            )
            return result
        self._narrow(job, job.input.paths, result.narrowed)
        if len(result.narrowed) == NARROWED_FILES:
            result.narrow_note = f"stopped after {NARROWED_FILES} differing files"
        elif not result.narrowed:
            result.narrow_note = (
                "no smaller group of these files differs: the difference needs them together"
            )
        return result

    def _narrow(self, job: Job, paths: tuple[Path, ...], found: list[Result]) -> None:
        """Add to ``found`` the files among ``paths`` that differ alone, halving each time.

        One differing file among a hundred then costs about 14 runs instead of a hundred.
        """
        half = len(paths) // 2
        for part in (paths[:half], paths[half:]):
            if len(found) == NARROWED_FILES:
                return
            result = self.one(Job(job.input.part(part), job.mode, job.fmt))
            if result.same:
                continue
            if len(part) == 1:
                found.append(result)
            else:
                self._narrow(job, part, found)


def compare_all(
    jobs: list[Job], comparer: Comparer, workers: int, log: Callable[[str], None]
) -> list[Result]:
    # Largest inputs first, so that no long run is left alone at the end.
    order = sorted(
        range(len(jobs)), key=lambda i: -sum(p.stat().st_size for p in jobs[i].input.paths)
    )
    results: list[Result | None] = [None] * len(jobs)
    last = time.monotonic()
    differ = 0
    with ThreadPoolExecutor(max_workers=workers) as pool:
        futures: dict[Future[Result], int] = {pool.submit(comparer, jobs[i]): i for i in order}
        for done, future in enumerate(as_completed(futures), start=1):
            result = future.result()
            results[futures[future]] = result
            differ += not result.same
            if time.monotonic() - last > 15 or done == len(jobs):
                last = time.monotonic()
                log(f"{done:,} of {len(jobs):,} compared, {differ:,} different")
    return [r for r in results if r is not None]


# -- inputs -----------------------------------------------------------------------------------


def checkout_files(tree: Path, rev: str, log: Callable[[str], None]) -> list[Input]:
    """The golden files and the docs example, from the working tree or else from ``rev``."""
    found: list[Input] = []
    for pattern, group in (
        ("tests/formats/golden/*.in.log", "golden files"),
        ("docs/examples/access.log", "docs example"),
    ):
        paths = sorted(ROOT.glob(pattern))
        where, prefix = ROOT, ""
        if not paths:
            # The restructuring may move them; the baseline's copies are the same inputs.
            paths, where, prefix = sorted(tree.glob(pattern)), tree, f"{rev}:"
            log(f"no {pattern} in the working tree: {len(paths)} from {rev} are used")
        if len(paths) == 1:
            label = prefix + str(paths[0].relative_to(where))
            found.append(
                Input(label, group, paths[0].parent, (paths[0],), count_lines(paths[0]), FILE_MODES)
            )
            continue
        batch = folder_input(paths[0].parent, group, tuple(paths))
        label = prefix + str(batch.base.relative_to(where))
        found += [
            Input(f"{label}/{p.name}", group, p.parent, (p,), count_lines(p), GOLDEN_ALONE)
            for p in paths
        ]
        found.append(Input(label, group, batch.base, batch.paths, batch.lines, GOLDEN_TOGETHER))
    return found


def folder_input(folder: Path, group: str, paths: tuple[Path, ...] = ()) -> Input:
    """``paths`` in ``folder`` (by default all its files) as one input."""
    paths = paths or tuple(sorted(p for p in folder.rglob("*") if p.is_file()))
    lines = sum(count_lines(p) for p in paths)
    label = os.path.relpath(folder, ROOT)
    return Input(label, group, folder, paths, lines, FOLDER_MODES)


def corpus_inputs(args: argparse.Namespace, log: Callable[[str], None]) -> list[Input]:
    chosen = [
        ("combined", args.lines, (PLAIN, STATS, IN_PLACE, JOBS)),
        ("mail", args.lines, (PLAIN, PIPE, JOBS)),
        *(
            (name, args.small_lines, (PLAIN,))
            for name in corpora.GENERATORS
            if name not in ("combined", "mail")
        ),
    ]
    found = []
    for name, lines, modes in chosen:
        data = corpus(args.work, name, lines, name, log)
        label = f"corpus {name} ({lines:,} lines)"
        found.append(Input(label, label, data.path.parent, (data.path,), lines, modes))
        if name == "combined":
            # --check takes about six times as long as masking, and one generator writes the
            # whole corpus: its first lines take the same paths through the code.
            first = min(lines, args.small_lines)
            sample = head(data, first, data.path.with_name(f"{data.path.stem}.head{first}"))
            label = f"corpus combined (first {first:,} lines)"
            found.append(Input(label, label, sample.path.parent, (sample.path,), first, (CHECK,)))
    return found


# -- report -----------------------------------------------------------------------------------


def summary_table(results: list[Result]) -> str:
    groups: dict[tuple[str, str], list[Result]] = {}
    for r in results:
        groups.setdefault((r.job.input.group, r.job.mode.name), []).append(r)
    rows = [
        "| input | mode | files | lines | formats | runs compared | result |",
        "|---|---|---:|---:|---:|---:|---|",
    ]
    for (group, mode), found in groups.items():
        inputs = {r.job.input.label: r.job.input for r in found}
        formats = {r.job.fmt for r in found}
        bad = sum(not r.same for r in found)
        rows.append(
            f"| {group} | {mode} | {sum(len(i.paths) for i in inputs.values()):,} "
            f"| {sum(i.lines for i in inputs.values()):,} "
            f"| {len(formats) if None not in formats else '-'} | {len(found):,} "
            f"| {'same' if not bad else f'**DIFFERENT** in {bad:,}'} |"
        )
    return "\n".join(rows)


def full_table(results: list[Result]) -> str:
    rows = ["| input | format | mode | lines | result |", "|---|---|---|---:|---|"]
    for r in results:
        rows.append(
            f"| {r.job.input.label} | {r.job.fmt or '-'} | {r.job.mode.name} "
            f"| {r.job.input.lines:,} | {'same' if r.same else '**DIFFERENT**'} |"
        )
    return "\n".join(rows)


def described(result: Result) -> list[str]:
    text = [f"#### {result.job.title}", "", "```", *result.notes]
    for alone in result.narrowed:
        text += ["", f"alone: {alone.job.input.label}", *alone.notes]
    if result.narrow_note:
        text += ["", result.narrow_note]
    return [*text, "```", ""]


# -- main -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--baseline",
        metavar="REV",
        default="HEAD",
        help="the git revision whose ipmask is the reference (default: %(default)s)",
    )
    p.add_argument(
        "--current",
        metavar="REV",
        help="compare against ipmask at this revision instead of the working tree",
    )
    p.add_argument(
        "--corpus-dir",
        action="append",
        default=[],
        type=Path,
        metavar="DIR",
        help="one more folder of logs to compare over, all its files (repeatable); the "
        "fail2ban samples at ../shared/corpus/fail2ban are used too when present",
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="only the golden files, the docs example and the command lines",
    )
    p.add_argument(
        "--lines",
        type=int,
        default=200_000,
        help="lines of the Apache and the mail corpus (default: %(default)s)",
    )
    p.add_argument(
        "--small-lines",
        type=int,
        default=20_000,
        help="lines of every other corpus (default: %(default)s)",
    )
    p.add_argument("--workers", type=int, default=2, help="runs at a time (default: %(default)s)")
    p.add_argument(
        "--show",
        type=int,
        default=10,
        help="differing runs printed in full; the report file has all (default: %(default)s)",
    )
    p.add_argument("--full", action="store_true", help="also print the table of every run")
    p.add_argument(
        "--python",
        default=sys.executable,
        help="interpreter for the virtual environments (default: this one)",
    )
    p.add_argument(
        "--work",
        type=Path,
        default=HERE / ".work",
        help="folder for venvs, corpora and reports (default: benchmarks/.work)",
    )
    return p.parse_args(argv)


def all_jobs(
    args: argparse.Namespace, formats: tuple[str, ...], notes: list[str], log: Callable[[str], None]
) -> list[Job]:
    """Every comparison to make; what is skipped goes into ``notes``."""
    inputs = checkout_files(revision_tree(args.work, args.baseline), args.baseline, log)
    jobs = [Job(i, m, f) for i in inputs for m in i.modes for f in formats]
    example = next((i for i in inputs if i.group == "docs example"), None)
    if example is not None:
        jobs += [Job(example, m, None) for m in COMMAND_LINES]
    if args.quick:
        return jobs
    for path in [ROOT.parent / "shared" / "corpus" / "fail2ban", *args.corpus_dir]:
        if path.is_dir():
            found = folder_input(path.resolve(), path.name)
            jobs += [Job(found, m, f) for m in found.modes for f in formats]
        else:
            notes.append(f"{os.path.relpath(path, ROOT)} is not there: skipped")
            log(notes[-1])
    for data in corpus_inputs(args, log):
        jobs += [Job(data, m, f) for m in data.modes for f in formats]
    return jobs


def report(
    args: argparse.Namespace,
    argv: Sequence[str] | None,
    *,
    programs: tuple[Installed, Installed],
    head_notes: list[str],
    results: list[Result],
    seconds: float,
) -> tuple[str, str, bool]:
    """The report printed, the report saved, and whether anything differs."""
    baseline, current = programs
    differing = [r for r in results if not r.same]
    names_differ = baseline.formats != current.formats
    command = "python3 benchmarks/same_output.py" + "".join(
        f" {a}" for a in (sys.argv[1:] if argv is None else argv)
    )
    head = [
        f"Command: `{command}`",
        f"Machine: {machine_notes()}",
        f"Baseline: `{baseline.label}` = {args.baseline} ({commit_of(args.baseline)})",
        "Current: "
        + (
            f"`{current.label}` = {args.current} ({commit_of(args.current)})"
            if args.current
            else f"this working tree, {checkout()}"
        ),
        f"Formats (the baseline's): {', '.join(baseline.formats)}",
        f"Took {seconds:.0f} s",
        *head_notes,
        "",
        summary_table(results),
        "",
    ]
    if differing or names_differ:
        verdict = (
            f"**DIFFERENT**: {len(differing):,} of {len(results):,} runs differ"
            + (", and so do the format names" if names_differ else "")
            + "."
        )
    else:
        verdict = (
            f"All {len(results):,} runs gave the same bytes and exit codes "
            "(time and rate of --stats left out)."
        )
    every = ["### every run", "", full_table(results), ""]
    details = [line for r in differing for line in described(r)]
    saved = [*head, verdict, "", *every, *(["### differences", "", *details] if details else [])]
    printed = head + (every if args.full else [])
    if differing:
        printed += ["### differences", ""]
        printed += [line for r in differing[: args.show] for line in described(r)]
        if len(differing) > args.show:
            printed += [f"... and {len(differing) - args.show:,} more in the report file.", ""]
    printed.append(verdict)
    return "\n".join(printed), "\n".join(saved) + "\n", bool(differing or names_differ)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    args.work = args.work.resolve()
    folder = args.work / "same-output"
    folder.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()

    def log(message: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {message}", file=sys.stderr, flush=True)

    try:
        baseline = install_revision(args.work, args.baseline, args.python, log=log)
        if args.current:
            current = install_revision(args.work, args.current, args.python, log=log)
        else:
            current = install_checkout(folder / "venv-current", args.python, log=log)
    except ValueError as e:
        print(f"same_output.py: {e}", file=sys.stderr)
        return 2
    if not baseline.runs:
        print(f"same_output.py: {baseline.label} does not run:\n{baseline.problem}")
        return 2
    if not current.runs:
        print(f"**DIFFERENT**: the current ipmask does not run:\n{current.problem}")
        return 1
    notes = []  # said in the report's head
    if current.formats != baseline.formats:
        notes.append(
            f"**DIFFERENT** format names: baseline {', '.join(baseline.formats)}; "
            f"current {', '.join(current.formats)}"
        )
    jobs = all_jobs(args, baseline.formats, notes, log)
    log(
        f"comparing {len(jobs):,} runs of {baseline.label} and {current.label}, "
        f"{args.workers} at a time"
    )
    comparer = Comparer(baseline, current, folder / "scratch")
    results = compare_all(jobs, comparer, args.workers, log)
    shutil.rmtree(folder / "scratch", ignore_errors=True)
    printed, saved, differ = report(
        args,
        argv,
        programs=(baseline, current),
        head_notes=notes,
        results=results,
        seconds=time.monotonic() - started,
    )
    path = folder / f"report-{time.strftime('%Y%m%d-%H%M%S')}.md"
    path.write_text(saved)
    print(f"{printed}\nReport: {os.path.relpath(path, ROOT)}")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
