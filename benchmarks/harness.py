"""What the comparison is made of: processes measured one by one, environments, corpora.

Every measured command is started by a small launcher process (see :class:`Launcher`), so its
peak resident memory is its own: on Linux a child's ``ru_maxrss`` includes the high-water mark
of the process it was forked from.
"""

from __future__ import annotations

import fcntl
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import corpora

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MiB = 1 << 20
ANONIP = "anonip==1.1.0"


# -- processes --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Measured:
    """One finished process: wall time and its own peak resident set."""

    seconds: float
    maxrss_kib: int
    cpu_seconds: float  # user + system, including the process's own reaped children


#: Runs in its own small interpreter and starts every measured process. On Linux a child's
#: ru_maxrss includes the high-water mark of the memory it was forked from, so children forked
#: straight from this (large) script would all report this script's peak. Forked from this
#: small launcher instead, the floor is a few MiB (measured and printed as the launcher floor).
_LAUNCHER = """
import json, os, sys, time
for line in sys.stdin:
    job = json.loads(line)
    fds = [os.open(job["stdin"], os.O_RDONLY),
           os.open(job["stdout"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644),
           os.open(job["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        try:
            for target, fd in enumerate(fds):
                os.dup2(fd, target)
            os.execvpe(job["argv"][0], job["argv"], job["env"])
        finally:
            os._exit(127)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    for fd in fds:
        os.close(fd)
    print(json.dumps({"seconds": seconds, "maxrss": usage.ru_maxrss,
                      "cpu": usage.ru_utime + usage.ru_stime,
                      "code": os.waitstatus_to_exitcode(status)}), flush=True)
"""


class Launcher:
    """A small helper process that runs commands and reports each one's wall time and RSS."""

    def __init__(self) -> None:
        self._proc = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", _LAUNCHER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(
        self,
        argv: Sequence[str],
        *,
        stdin: Path | None = None,
        stdout: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> Measured:
        """Run ``argv`` to completion; fail loudly on a non-zero exit."""
        assert self._proc.stdin is not None
        assert self._proc.stdout is not None
        with tempfile.NamedTemporaryFile(prefix="ipmask-bench-err-") as err:
            job = {
                "argv": list(argv),
                "stdin": str(stdin or os.devnull),
                "stdout": str(stdout or os.devnull),
                "stderr": err.name,
                "env": dict(os.environ if env is None else env),
            }
            self._proc.stdin.write(json.dumps(job) + "\n")
            self._proc.stdin.flush()
            answer = json.loads(self._proc.stdout.readline())
            if answer["code"] != 0:
                message = Path(err.name).read_text("utf-8", "replace").strip()[-2000:]
                raise RuntimeError(f"{' '.join(argv)} exited {answer['code']}: {message}")
        return Measured(answer["seconds"], answer["maxrss"], answer["cpu"])

    def close(self) -> None:
        assert self._proc.stdin is not None
        self._proc.stdin.close()
        self._proc.wait()


_launcher: Launcher | None = None


def run_process(
    argv: Sequence[str],
    *,
    stdin: Path | None = None,
    stdout: Path | None = None,
    env: dict[str, str] | None = None,
) -> Measured:
    """Run ``argv`` through the launcher (started on first use)."""
    global _launcher  # noqa: PLW0603 - one launcher per run of this script
    if _launcher is None:
        _launcher = Launcher()
    return _launcher.run(argv, stdin=stdin, stdout=stdout, env=env)


def python_json(python: Path, script: str, *args: str) -> object:
    """Run a Python snippet in ``python`` and return what it prints as JSON."""
    result = subprocess.run(
        [str(python), "-c", script, *args], check=True, capture_output=True, text=True
    )
    return json.loads(result.stdout)


# -- virtual environments -----------------------------------------------------------------------


@dataclass(frozen=True)
class Installed:
    """One ipmask installed (not editable) in a virtual environment of its own."""

    label: str  # "ipmask" for this checkout, "ipmask@<short commit>" for a git revision
    venv: Path
    problem: str  # what the command said when it did not start; "" when it runs
    formats: tuple[str, ...]  # its own ipmask.formats.FORMAT_NAMES; () when it does not run

    @property
    def runs(self) -> bool:
        return not self.problem

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def command(self) -> Path:
        return self.venv / "bin" / "ipmask"

    @property
    def argv(self) -> tuple[str, ...]:
        return (str(self.command),)


@dataclass(frozen=True)
class Envs:
    """The interpreters and programs under test."""

    python: Path  # the ipmask venv's interpreter: also runs the copy loop
    ipmask: Path | None  # None while the checkout has no working command yet
    anonip: Path
    formats: tuple[str, ...]  # ipmask.formats.FORMAT_NAMES of the installed ipmask
    baseline: Installed | None = None  # --baseline REV: ipmask as it was at REV

    @property
    def ipmask_argv(self) -> list[str]:
        assert self.ipmask is not None
        return [str(self.ipmask)]


def _pip(venv: Path, *args: str) -> None:
    subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            *args,
        ],
        check=True,
    )


def _venv(path: Path, python: str) -> Path:
    if not (path / "bin" / "python").exists():
        subprocess.run([python, "-m", "venv", str(path)], check=True)
    return path


def shown(path: Path) -> str:
    """``path`` as the log shows it: relative to the checkout when it is inside it."""
    try:
        return str(path.relative_to(ROOT))
    except ValueError:
        return str(path)


_FORMAT_NAMES = "import json; from ipmask.formats import FORMAT_NAMES as F; print(json.dumps(F))"


def probe(venv: Path, label: str) -> Installed:
    """The ipmask installed in ``venv``: whether its command starts, and its formats."""
    env = child_env()
    started = subprocess.run(
        [str(venv / "bin" / "ipmask"), "--version"], capture_output=True, check=False, env=env
    )
    if started.returncode != 0:
        problem = started.stderr.decode("utf-8", "replace").strip()[-600:] or (
            f"`ipmask --version` exited {started.returncode}"
        )
        return Installed(label, venv, problem, ())
    names = subprocess.run(
        [str(venv / "bin" / "python"), "-c", _FORMAT_NAMES],
        capture_output=True,
        check=False,
        env=env,
    )
    if names.returncode != 0:
        # Both scripts take the formats to run from here; without them there is nothing to do.
        error = names.stderr.decode("utf-8", "replace").strip()[-600:]
        return Installed(label, venv, f"no ipmask.formats.FORMAT_NAMES: {error}", ())
    return Installed(label, venv, "", tuple(str(n) for n in json.loads(names.stdout)))


def install_checkout(venv: Path, python: str, *, log: Callable[[str], None]) -> Installed:
    """ipmask from this checkout's working tree, reinstalled into ``venv`` on every call."""
    _venv(venv, python)
    if not (venv / ".deps").exists():
        log(f"installing ipmask's dependencies into {shown(venv)}")
        _pip(venv, str(ROOT))
        (venv / ".deps").touch()
    log("installing ipmask from this checkout")
    # A regular (non-editable) install, like a user's; rebuilt every run so it is current.
    _pip(venv, "--no-deps", "--force-reinstall", str(ROOT))
    return probe(venv, "ipmask")


def commit_of(rev: str) -> str:
    """The full hash of the commit ``rev`` names in this repository."""
    found = subprocess.run(
        [
            "git",
            "-C",
            str(ROOT),
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{rev}^{{commit}}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if found.returncode != 0:
        raise ValueError(f"{rev!r} does not name a commit of this repository")
    return found.stdout.strip()


def install_revision(work: Path, rev: str, python: str, *, log: Callable[[str], None]) -> Installed:
    """ipmask as committed at ``rev``, in a venv under ``work/baselines/<commit>``.

    A commit never changes, so its venv is made once and kept; a lock lets two scripts started
    together (same_output.py and compare.py) share it instead of installing over each other.
    """
    commit = commit_of(rev)
    folder = work / "baselines" / commit
    folder.mkdir(parents=True, exist_ok=True)
    label = f"ipmask@{commit[:7]}"
    with (folder / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        done = folder / ".installed"
        if not done.exists():
            log(f"installing {label} ({rev}) into {shown(folder)}")
            tree, venv = folder / "tree", folder / "venv"
            # A half-made install from an interrupted run is started again from scratch.
            shutil.rmtree(tree, ignore_errors=True)
            shutil.rmtree(venv, ignore_errors=True)
            tree.mkdir()
            archive = subprocess.Popen(
                ["git", "-C", str(ROOT), "archive", "--format=tar", commit],
                stdout=subprocess.PIPE,
            )
            assert archive.stdout is not None
            subprocess.run(["tar", "-x", "-C", str(tree)], stdin=archive.stdout, check=True)
            archive.stdout.close()
            if archive.wait() != 0:
                raise RuntimeError(f"git archive {commit} failed")
            _venv(venv, python)
            _pip(venv, str(tree))
            done.write_text(f"{commit}\n")
    return probe(folder / "venv", label)


def revision_tree(work: Path, rev: str) -> Path:
    """The files of ``rev`` as extracted by :func:`install_revision`."""
    return work / "baselines" / commit_of(rev) / "tree"


def make_envs(
    work: Path, python: str, *, log: Callable[[str], None], baseline: str | None = None
) -> Envs:
    """Create or refresh the virtual environments under ``work``.

    With ``baseline`` (a git revision), ipmask as committed there is installed too.
    """
    current = install_checkout(work / "venv-ipmask", python, log=log)
    anonip_venv = _venv(work / "venv-anonip", python)
    marker = anonip_venv / ".installed"
    if not marker.exists() or marker.read_text() != ANONIP:
        log(f"installing {ANONIP} into benchmarks/.work/venv-anonip")
        _pip(anonip_venv, ANONIP)
        marker.write_text(ANONIP)
    if not current.runs:
        log(
            "ipmask's command does not run yet; its rows are left out:\n  "
            + current.problem.replace("\n", "\n  ")
        )
    before = install_revision(work, baseline, python, log=log) if baseline else None
    if before is not None and not before.runs:
        log(
            f"{before.label}'s command does not run; its rows are left out:\n  "
            + before.problem.replace("\n", "\n  ")
        )
    return Envs(
        python=current.python,
        ipmask=current.command if current.runs else None,
        anonip=anonip_venv / "bin" / "anonip",
        formats=current.formats,
        baseline=before,
    )


# -- corpora ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    """A corpus file and its size."""

    label: str
    path: Path
    lines: int
    size: int


def corpus(work: Path, name: str, lines: int, label: str, log: Callable[[str], None]) -> Corpus:
    path = work / "corpora" / f"{name}-{lines}-s1-v{corpora.CORPUS_VERSION}.log"
    if not path.exists():
        log(f"writing {lines:,} {name} lines to {path.relative_to(ROOT)}")
    path = corpora.cached(work / "corpora", name, lines)
    return Corpus(label, path, lines, path.stat().st_size)


def head(src: Corpus, lines: int, dest: Path) -> Corpus:
    """The first ``lines`` lines of a corpus, as a corpus of its own (for output checks)."""
    if not dest.exists():
        with src.path.open("rb") as inp, dest.open("wb") as out:
            for _, line in zip(range(lines), inp, strict=False):
                out.write(line)
    return Corpus(src.label, dest, lines, dest.stat().st_size)


def count_lines(path: Path) -> int:
    """Lines in a file, a last line without a newline included."""
    count, last = 0, b"\n"
    with path.open("rb") as f:
        while chunk := f.read(MiB):
            count += chunk.count(b"\n")
            last = chunk[-1:]
    return count + (last != b"\n")


@dataclass(frozen=True)
class Tool:
    """A command line run on one corpus."""

    label: str
    kind: str  # "copy", "ipmask", "baseline" (ipmask at another revision), "anonip", "sed"
    argv: tuple[str, ...]
    via_stdin: bool  # the corpus on standard input rather than as an argument
    ipmask_format: str | None = None  # an ipmask row's format ("any" for the default)


def child_env() -> dict[str, str]:
    """The environment for every child: C locale (sed on bytes), no stray Python settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "IPMASK_"))}
    env["LC_ALL"] = "C"
    return env


def run_tool(tool: Tool, data: Corpus, *, stdout: Path | None = None) -> Measured:
    if tool.via_stdin:
        return run_process(tool.argv, stdin=data.path, stdout=stdout, env=child_env())
    return run_process((*tool.argv, str(data.path)), stdout=stdout, env=child_env())


@dataclass
class Series:
    """Repeated measurements of one command on one corpus."""

    tool: Tool
    data: Corpus
    runs: list[Measured] = field(default_factory=list)

    @property
    def seconds(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def spread(self) -> tuple[float, float]:
        times = [r.seconds for r in self.runs]
        return min(times), max(times)

    @property
    def cpu(self) -> float:
        return statistics.median(r.cpu_seconds for r in self.runs)

    @property
    def rss_mib(self) -> float:
        return max(r.maxrss_kib for r in self.runs) / 1024


def interleave(
    series: list[Series],
    rounds: int,
    *,
    rounds_for: Callable[[Series], int],
    log: Callable[[str], None],
    before_round: Callable[[], object] = lambda: None,
) -> None:
    """Run every series once per round, rotating the order so no command always goes first."""
    for r in range(rounds):
        before_round()
        turn = series[r % len(series) :] + series[: r % len(series)]
        for s in turn:
            if len(s.runs) < rounds_for(s):
                s.runs.append(run_tool(s.tool, s.data))
        log(f"round {r + 1}/{rounds} done")


#: A pure-Python busy loop of about half a second.
_SPIN = "n = 0\nfor i in range(20_000_000):\n    n += i\n"


def parallel_capacity(python: Path) -> float:
    """How many CPUs two busy processes get now: 2.0 on two free cores, 1.0 when they share one."""
    argv = [str(python), "-c", _SPIN]
    start = time.perf_counter()
    subprocess.run(argv, check=True)
    alone = time.perf_counter() - start
    start = time.perf_counter()
    procs = [subprocess.Popen(argv) for _ in range(2)]
    for proc in procs:
        proc.wait()
    together = time.perf_counter() - start
    return 2 * alone / together


def same_file(a: Path, b: Path) -> bool:
    """Whether two files hold the same bytes."""
    if a.stat().st_size != b.stat().st_size:
        return False
    with a.open("rb") as fa, b.open("rb") as fb:
        while chunk := fa.read(8 * MiB):
            if chunk != fb.read(8 * MiB):
                return False
    return True


def machine_notes() -> str:
    """CPUs, kernel and Python of this machine, for the report."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def checkout() -> str:
    """The commit measured, and whether the working tree differs from it."""
    try:
        commit = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown (not a git checkout)"
    return f"{commit}{' with uncommitted changes' if dirty else ''}"
