"""Free-text log lines: the `any` rules, with the line header understood.

Syslog, mail and error logs carry addresses anywhere in their messages, so the whole line is
masked by the masker. The header decides whether a line fits the format (lines that do not are
counted), and, for syslog, where the HOSTNAME field stands: the name of the machine that wrote
the line is not a client's, so the host-name pass leaves it alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from ipmask.formats._base import AnyFilter, Shared, count_lines
from ipmask.masking.hostnames import apply_edits

__all__ = ["Pass", "TextFilter"]

Pass = Callable[[bytes], bytes]


class TextFilter:
    """Masks every address of each line; knows the format's header and extra passes.

    ``header`` matches the start of a fitting line after its line break, with two groups: the
    text before the HOSTNAME field, and that field (empty where the format has none).
    ``extras`` are a daemon's own passes. They and the host-name pass run on the original
    text, before the masker masks the addresses. A line that does not fit gets all of this as
    well (which the `any` rules are a part of), and is counted.
    """

    def __init__(
        self, name: str, shared: Shared, header: re.Pattern[bytes], extras: Sequence[Pass] = ()
    ) -> None:
        self.name = name
        self._shared = shared
        self._masker = shared.masker
        self._names = shared.names
        self._counts = shared.counts
        self._header = header
        self._extras = tuple(extras)

    @property
    def fallback(self) -> AnyFilter:
        return self._shared.fallback

    def __call__(self, block: bytes) -> bytes:
        for extra in self._extras:
            block = extra(block)
        counts = self._counts
        if counts is None:
            return self._masker.mask_bytes(self._mask_names(block))
        counts.unfit += count_lines(block) - len(self._header.findall(b"\n" + block))
        out, ipv4, ipv6 = self._masker.mask_bytes_counted(self._mask_names(block))
        counts.ipv4 += ipv4
        counts.ipv6 += ipv6
        return out

    def _mask_names(self, block: bytes) -> bytes:
        """Run the host-name pass everywhere but in the HOSTNAME fields.

        The pass's edits are few (names that spell an address), so each is checked against
        the header of its own line, and those inside the HOSTNAME field are dropped.
        """
        edits = self._names.edits(block)
        if not edits:
            return block
        header = self._header
        lined = b"\n" + block  # the header pattern starts at the line break before its line
        kept = []
        for edit in edits:
            at = edit[0] + 1
            head = header.match(lined, lined.rfind(b"\n", 0, at))
            if head is None or not head.start(2) <= at < head.end(2):
                kept.append(edit)
        return apply_edits(block, kept)
