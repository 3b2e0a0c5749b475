"""The fail2ban sample logs as an external corpus: every labelled address must be hidden.

A ``# failJSON: {..., "host": "192.0.2.1"}`` line says the next log line carries that client
address. Each file is masked with ``any``, with the format ``auto`` detects for it, and with
the daemon's own format where there is one; for every labelled line whose label is an IP
literal, the address must no longer be readable in the output line (checked by parsing the
output, since a masked address keeps its prefix), every line must come out, and nothing may
change outside address-like spans.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from conftest import CORPUS, needs_corpus
from ipmask import Masker, Settings
from ipmask.formats import detect_format, get_filter

pytestmark = needs_corpus

#: corpus files written by a daemon that has its own format
OWN_FORMAT = {"postfix": "postfix", "dovecot": "dovecot", "sshd": "syslog"}

_LABEL = b"# failJSON:"
# Runs that could hold an address, and what a masked address may become.
_RUN = re.compile(rb"[0-9A-Fa-f:.]+(?:%[\w.]+)?")
_ADDRESS_CHARS = frozenset(b"0123456789abcdefABCDEFX:.")
# Dovecot session ids encode the client's address; their masking is checked in test_syslog.
_SESSION = re.compile(rb"(session=<|><|,<)[A-Za-z0-9+/]{16,32}>")

IP = ipaddress.IPv4Address | ipaddress.IPv6Address


@dataclass
class Figures:
    """What one pass over the corpus saw."""

    files: int = 0
    lines: int = 0
    labelled: int = 0
    hidden: int = 0
    problems: list[str] = field(default_factory=list)


def _label(line: bytes) -> IP | None:
    """The labelled address of a failJSON line, if it is an IP literal."""
    try:
        host = json.loads(line[len(_LABEL) :]).get("host")
        return ipaddress.ip_address(host)
    except (ValueError, TypeError, AttributeError):
        return None


def _unmapped(address: IP) -> IP:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _same(a: IP, b: IP) -> bool:
    """Whether two addresses are one, an IPv4-mapped spelling counting as its IPv4 address."""
    return _unmapped(a) == _unmapped(b)


def _readable(line: bytes) -> list[IP]:
    """Every address an oracle can read in ``line``, with or without a port or zone."""
    found = []
    for match in _RUN.finditer(line):
        run = match[0].decode("ascii")
        for text in {run, run.strip(".:"), run.rsplit(":", 1)[0], run.rsplit(".", 1)[0]}:
            try:
                found.append(ipaddress.ip_address(text.split("%")[0]))
            except ValueError:
                continue
    return found


def _outside_changes(before: bytes, after: bytes) -> list[tuple[bytes, bytes]]:
    """Changed spans that are not address-like (digits, hex, ':' '.', and 'X')."""
    before, after = _SESSION.sub(rb"\1>", before), _SESSION.sub(rb"\1>", after)
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    bad = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        old, new = before[i1:i2], after[j1:j2]
        if tag != "equal" and not (set(old) <= _ADDRESS_CHARS and set(new) <= _ADDRESS_CHARS):
            bad.append((old, new))
    return bad


def _split_lines(data: bytes) -> list[bytes]:
    pieces = data.split(b"\n")
    return [p + b"\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


def _check_file(path: Path, fmt: str, mask: Callable[[bytes], bytes], figures: Figures) -> None:
    data = path.read_bytes()
    lines = _split_lines(data)
    out = _split_lines(mask(data))
    figures.files += 1
    figures.lines += len(lines)
    if len(out) != len(lines):
        figures.problems.append(f"{path.name} [{fmt}]: {len(lines)} lines in, {len(out)} out")
        return
    for i, (before, after) in enumerate(zip(lines, out, strict=True)):
        for old, new in _outside_changes(before, after):
            figures.problems.append(f"{path.name}:{i + 1} [{fmt}] changed {old!r} -> {new!r}")
        if i == 0 or not lines[i - 1].startswith(_LABEL):
            continue
        label = _label(lines[i - 1])
        if label is None:
            continue
        figures.labelled += 1
        if any(_same(label, seen) for seen in _readable(after)):
            figures.problems.append(f"{path.name}:{i + 1} [{fmt}] {label} in clear: {after!r}")
        else:
            figures.hidden += 1


def _corpus_files() -> list[Path]:
    return sorted(p for p in CORPUS.iterdir() if p.is_file())


def _log_lines(path: Path) -> bytes:
    """The file without its annotation lines, as ``auto`` would see a real log."""
    return b"".join(line for line in _split_lines(path.read_bytes()) if not line.startswith(b"#"))


def _report(capsys: pytest.CaptureFixture[str], what: str, figures: Figures) -> None:
    with capsys.disabled():
        print(
            f"\n[corpus, {what}] {figures.files} files, {figures.lines} lines, "
            f"{figures.hidden} of {figures.labelled} labelled addresses hidden, "
            f"{len(figures.problems)} problems"
        )


def test_any_hides_every_labelled_address(capsys: pytest.CaptureFixture[str]) -> None:
    """With `any`, no labelled address is left readable and only addresses change."""
    figures = Figures()
    masker = Masker()
    for path in _corpus_files():
        _check_file(path, "any", get_filter(Settings(format="any"), masker), figures)
    _report(capsys, "any", figures)
    assert figures.labelled > 500
    assert figures.problems == []


def test_detected_format_hides_every_labelled_address(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """With the format `auto` picks per file, no labelled address is left readable."""
    figures = Figures()
    masker = Masker()
    for path in _corpus_files():
        fmt = detect_format(_log_lines(path))
        _check_file(path, fmt, get_filter(Settings(format=fmt), masker), figures)
    _report(capsys, "detected formats", figures)
    assert figures.labelled > 500
    assert figures.problems == []


@pytest.mark.parametrize(("name", "fmt"), sorted(OWN_FORMAT.items()))
def test_daemon_format_hides_every_labelled_address(
    name: str, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A daemon's own format hides every labelled address of its sample file."""
    figures = Figures()
    _check_file(CORPUS / name, fmt, get_filter(format=fmt), figures)
    _report(capsys, f"{name} as {fmt}", figures)
    assert figures.labelled > 10
    assert figures.problems == []


def test_check_finds_an_address_left_in_clear() -> None:
    """The corpus check itself fails on a filter that passes lines through unmasked."""
    figures = Figures()
    _check_file(CORPUS / "postfix", "none", lambda block: block, figures)
    assert figures.labelled == 58
    assert figures.hidden == 0


def test_check_finds_a_change_outside_addresses() -> None:
    """The corpus check itself fails on a filter that changes text other than addresses."""
    figures = Figures()
    mask = get_filter(format="any")
    _check_file(CORPUS / "postfix", "bad", lambda b: mask(b).replace(b"reject", b"rejekt"), figures)
    assert any("b'c' -> b'k'" in problem for problem in figures.problems)


def test_check_finds_a_lost_line() -> None:
    """The corpus check itself fails on a filter that drops a line."""
    figures = Figures()
    _check_file(CORPUS / "postfix", "lossy", lambda b: b.replace(b"\n", b"", 1), figures)
    assert any("lines in" in problem for problem in figures.problems)
