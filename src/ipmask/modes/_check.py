"""``--check``: report every address a log still holds in clear, for auditors and monitoring.

An address counts as in clear exactly when masking would change it, under the same format,
prefixes and keep networks as masking itself: the line filter is run over each block and the
lines that come out different are examined. In such a line the words that differ (runs of
characters that can belong to an address) are the ones reported, narrowed to the address inside
when the masker recognises one there (``1.2.3.4`` rather than ``1.2.3.4:5678``); a word without a
plain address in it, such as a host name spelling one, is reported whole.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from itertools import zip_longest
from typing import TextIO

from ipmask.errors import InputError
from ipmask.masking import Masker
from ipmask.modes._request import EXIT_FAILED, EXIT_OK, Request
from ipmask.streaming import Engine, Signals, open_source

__all__ = ["check"]

#: Splits a line into words and the text between them. Masking replaces an address by other
#: address characters, so both versions of a line split into the same number of pieces.
_WORDS = re.compile(rb"([^0-9A-Za-z.:%_\-]+)")

#: The exit code when an input could not be read: unchecked is not clean.
EXIT_UNCHECKED = 2

#: Shown instead of a word if a filter broke that promise, so nothing in clear goes unreported.
_WHOLE_LINE_LIMIT = 200


class _Finder:
    """Finds what differs between each line of a block and its masked form."""

    def __init__(self) -> None:
        # Only used to locate an address inside a word already known to change; the policy
        # that decides whether it changes is the filter's.
        self._locate = Masker().addresses

    def __call__(self, line: bytes, masked: bytes) -> list[bytes]:
        words, masked_words = _WORDS.split(line), _WORDS.split(masked)
        if len(words) != len(masked_words):
            return [line.rstrip(b"\r\n")[:_WHOLE_LINE_LIMIT]]
        found: list[bytes] = []
        for word, masked_word in zip(words[0::2], masked_words[0::2], strict=True):
            if word != masked_word:
                found.extend(self._locate(word) or [word])
        return found


def _audit(name: str, chunks: Iterable[bytes], engine: Engine, out: TextIO, find: _Finder) -> int:
    """Report one input's addresses in clear; return how many were found."""
    found, number = 0, 1  # the line the next block starts in
    for block, masked in engine.run(chunks):
        if masked != block:
            pairs = zip_longest(block.split(b"\n"), masked.split(b"\n"), fillvalue=b"")
            for offset, (line, line_masked) in enumerate(pairs):
                if line != line_masked:
                    for address in find(line, line_masked):
                        text = address.decode("utf-8", "backslashreplace")
                        out.write(f"{name}:{number + offset}: {text}\n")
                        found += 1
        number += block.count(b"\n")
    return found


def _summary(found: int, dirty: int, files: int, lines: int, failed: int) -> str:
    plural = "" if files == 1 else "s"
    text = (
        f"ipmask: {found} address{'es' if found != 1 else ''} in clear in {dirty} of "
        f"{files} file{plural}"
        if found
        else f"ipmask: no address in clear in {files} file{plural}"
    )
    text += f" ({lines} line{'' if lines == 1 else 's'})"
    if failed:
        text += f"; {failed} file{'' if failed == 1 else 's'} could not be read"
    return text + "\n"


def check(request: Request, out: TextIO | None = None) -> int:
    """Print ``FILE:LINE: ADDRESS`` for every address in clear, then a summary, on ``out``
    (standard output by default).

    Compressed files (gzip, bzip2, xz) are read decompressed; ``-`` is standard input.
    Returns the exit code: 0 if no address is in clear, 1 if some are, 2 if an input could not
    be read (unchecked is not clean).
    """
    out = sys.stdout if out is None else out
    find = _Finder()
    signals = Signals()
    found = dirty = files = lines = failed = 0
    try:
        for path in request.files:
            files += 1
            engine = request.engine(count=True)
            try:
                source = open_source(path)
                try:
                    count = _audit(path, source.chunks(signals), engine, out, find)
                finally:
                    source.close()
            except InputError as exc:
                failed += 1
                request.say(str(exc))
                continue
            found += count
            dirty += bool(count)
            lines += engine.counts.lines
    finally:
        signals.close()
    out.write(_summary(found, dirty, files, lines, failed))
    if failed:
        return EXIT_UNCHECKED
    return EXIT_FAILED if found else EXIT_OK
