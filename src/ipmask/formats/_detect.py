"""Telling a log's format from its first lines, and the `auto` filter built on it."""

from __future__ import annotations

import re
from collections.abc import Callable

from ipmask.formats._base import LineFilter
from ipmask.formats._errorlog import APACHE_ERROR, NGINX_ERROR
from ipmask.formats._syslog import HEADER
from ipmask.formats._templates import APACHE_STOCK, compile_apache

__all__ = ["SAMPLE_LINES", "AutoFilter", "detect_format"]

#: How many lines of the start of an input decide its format.
SAMPLE_LINES = 50

_WEB = {name: compile_apache(template).line for name, template in APACHE_STOCK.items()}
# nginx writes a quote or backslash inside a field as \x22 or \x5C, Apache as \" and \\ (both
# write other control bytes as \xhh); apart from that nginx's lines fit Apache's combined.
_NGINX_ESCAPE = re.compile(rb"\\x(?:22|5[Cc])")
_POSTFIX_TAG = re.compile(rb"[ :]postfix[-/\w]*\[[0-9]+\]: ")
_DOVECOT_TAG = re.compile(
    rb" (?:dovecot(?:\[[0-9]+\])?: |(?:imap|pop3|managesieve|submission)"
    rb"-login: |auth(?:-worker)?\([^)\n]*\): )"
)


def _header_fits(header: re.Pattern[bytes]) -> Callable[[bytes], bool]:
    return lambda line: header.match(b"\n" + line) is not None


#: In order of preference when two formats fit equally many lines.
_CANDIDATES: tuple[tuple[str, Callable[[bytes], bool]], ...] = (
    ("vhost_combined", lambda line: _WEB["vhost_combined"].fullmatch(line) is not None),
    ("combined", lambda line: _WEB["combined"].fullmatch(line) is not None),
    ("common", lambda line: _WEB["common"].fullmatch(line) is not None),
    ("apache-error", _header_fits(APACHE_ERROR)),
    ("nginx-error", _header_fits(NGINX_ERROR)),
    ("syslog", _header_fits(HEADER)),
)


def detect_format(sample: bytes) -> str:
    """Return the name of the format most of the first lines of ``sample`` fit, or ``any``.

    A format is chosen when at least half of the (non-blank) sample lines fit it. nginx's
    ``combined`` is told from Apache's by nginx's ``\\x22`` escapes; a syslog file is called
    ``postfix`` or ``dovecot`` when most of its fitting lines come from that daemon.
    """
    lines = [line for line in sample.split(b"\n")[:SAMPLE_LINES] if line.strip()]
    if not lines:
        return "any"
    best, hits = "any", 0
    for name, fits in _CANDIDATES:
        n = sum(map(fits, lines))
        if n > hits:
            best, hits = name, n
    if 2 * hits < len(lines):
        return "any"
    if best == "combined" and any(map(_NGINX_ESCAPE.search, lines)):
        return "nginx"
    if best == "syslog":
        postfix = sum(_POSTFIX_TAG.search(line) is not None for line in lines)
        dovecot = sum(_DOVECOT_TAG.search(line) is not None for line in lines)
        if 2 * max(postfix, dovecot) >= hits:
            return "postfix" if postfix >= dovecot else "dovecot"
    return best


class AutoFilter:
    """Picks the format from its first block, then hands every block to that format's filter.

    ``chosen`` is the picked format's name (None before the first block); from then on
    ``name`` says it too, as ``"combined (auto)"``. Until then the fallback is ``first``'s.
    """

    def __init__(self, make: Callable[[str], LineFilter], first: LineFilter) -> None:
        self.name = "auto"
        self.chosen: str | None = None
        self._make = make
        self._filter: LineFilter | None = None
        self._first = first

    @property
    def fallback(self) -> LineFilter:
        return (self._filter or self._first).fallback

    def __call__(self, block: bytes) -> bytes:
        if self._filter is None:
            if not block:
                return block
            self.chosen = detect_format(block)
            self.name = f"{self.chosen} (auto)"
            self._filter = self._make(self.chosen)
        return self._filter(block)
