"""Access logs in an Apache or nginx template: mask the address fields, leave the rest alone.

A block goes one of two ways, both without Python code per line:

- fast (templates ending in '"' with free text after the address fields, such as
  ``combined``): one ``re.split`` cuts the block at every line break, capturing the fields up
  to the last address of a line that starts like the template and follows a line ending in
  '"', and the break alone before any other line. The block passes when no break stands
  alone, it holds as many quotes as its lines' templates, and its first and last lines match
  the whole template; otherwise it goes the exact way.
- exact: one ``re.split`` with the whole template, so each fitting line is cut into its groups
  and whatever lies between matches is a line that does not fit; those get the `any` rules.

Each address column is a slice of the split, mapped through a cache
(:class:`ipmask.masking.Cache`) in C; Python runs only for a value not seen before.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from ipmask.formats._base import AnyFilter, Counts, Shared
from ipmask.formats._templates import HOST, KEEP, LIST, Template
from ipmask.masking import Cache, Limits

if TYPE_CHECKING:
    import re

__all__ = ["WebFilter"]

#: An address column: (its index in a line's groups of the split, the cache for its values).
Column = tuple[int, Cache[bytes, bytes]]
Split = Callable[[bytes], list[bytes]]
#: How to cut a block one way: (split, stride, address columns).
Way = tuple[Split, int, list[Column]]


class WebFilter:
    """Masks the client address fields of an access log written in one template."""

    def __init__(self, name: str, template: Template, shared: Shared) -> None:
        self.name = name
        self._shared = shared
        self._masker = shared.masker
        # A host column's name standing alone (Apache's %h with HostnameLookups on).
        self._mask_name = shared.names.mask_name
        self._counts = shared.counts
        self._line = template.line.fullmatch
        self._quotes = template.quotes
        self._exact = self._way(template.exact, template.roles)
        self._fast = (
            None
            if template.fast is None or template.fast_roles is None
            else self._way(template.fast, template.fast_roles)
        )
        # A column value -> the addresses it holds (IPv4, IPv6), for the counts.
        self._found: Cache[bytes, tuple[int, int]] = Cache(self._count_value, Limits.SIDE)

    @property
    def fallback(self) -> AnyFilter:
        return self._shared.fallback

    def _way(self, pattern: re.Pattern[bytes], roles: tuple[str, ...]) -> Way:
        """(split, stride, address columns) for one way of cutting a block."""
        columns = []
        for index, role in enumerate(roles):
            if role == KEEP:
                continue
            # The first group starts with the line break it was split at.
            lead = b"\n" if index == 0 else b""
            # Clients repeat with a long tail; a larger generation here saves more work on the
            # one column nearly every line has than it costs in memory.
            columns.append((index + 1, Cache(self._column(role, lead), Limits.COLUMN)))
        return pattern.split, len(roles) + 1, columns

    # -- one field value (runs once per distinct value) --------------------------------

    def _column(self, role: str, lead: bytes) -> Callable[[bytes], bytes]:
        """What masks one value of a column whose values start with ``lead``, which stays.

        A bare address (nearly every value) takes the masker's quick way; anything else gets
        the `any` rules, and in a host column its host name is masked first.
        """
        size = len(lead)
        if role == LIST:
            return lambda value: lead + self._list(value[size:])
        field = self._masker.field_masker(lead)
        rest = self._host_rest if role == HOST else self._masker.mask_bytes

        def mask(value: bytes) -> bytes:
            masked = field(value)
            return lead + rest(value[size:]) if masked is None else masked

        return mask

    def _host_rest(self, value: bytes) -> bytes:
        return self._masker.mask_bytes(self._mask_name(value))

    def _address(self, value: bytes) -> bytes:
        masked = self._masker.mask_field(value)
        return self._masker.mask_bytes(value) if masked is None else masked

    def _list(self, value: bytes) -> bytes:
        entries = value.split(b",")
        for i, entry in enumerate(entries):
            core = entry.strip(b" \t")
            if core:
                start = entry.index(core)
                entries[i] = entry[:start] + self._address(core) + entry[start + len(core) :]
        return b",".join(entries)

    # -- a block ------------------------------------------------------------------------

    def __call__(self, block: bytes) -> bytes:
        if self._fast is not None:
            out = self._try_fast(block, *self._fast)
            if out is not None:
                return out
        return self._exact_led(b"\n" + block)[1:]

    def _try_fast(
        self, block: bytes, split: Split, stride: int, columns: list[Column]
    ) -> bytes | None:
        """Mask a block whose lines all fit the fast checks; None if one does not."""
        parts = split(block)
        # A final line break starts no line: its match (the break alone) is left out.
        stop = len(parts) - stride if block[-1:] == b"\n" else len(parts)
        # Each line after the first must start like the template and follow a line ending in
        # '"' (else its break stands alone); the block must hold as many quotes as its lines'
        # templates (no field missing or added); the first and last line must fit exactly.
        starts = parts[1:stop:stride]
        if b"\n" in starts or not self._quotes_fit(block, len(starts) + 1):
            return None
        last = block.rfind(b"\n", 0, len(block) - 1) + 1
        if not (
            self._line(parts[0]) and self._line(block, last, len(block) - (block[-1:] == b"\n"))
        ):
            return None
        self._mask_columns(parts, stride, columns, stop, starts)
        parts[0] = self._exact_led(b"\n" + parts[0])[1:]
        return b"".join(parts)

    def _quotes_fit(self, block: bytes, lines: int) -> bool:
        """Whether the block's unescaped quotes are exactly those of its lines' templates."""
        extra = block.count(b'"') - self._quotes * lines
        escaped = block.count(b'\\"') if b"\\" in block else 0
        # Apache (and nginx with escape=json) write a quote in a field as \"; a block that also
        # holds an escaped backslash (\\) cannot be counted this simply and takes the exact way.
        return extra == escaped and not (escaped and b"\\\\" in block)

    def _exact_led(self, block: bytes) -> bytes:
        """Mask a block that starts with a line break (which stays)."""
        split, stride, columns = self._exact
        parts = split(block)
        self._mask_columns(parts, stride, columns, len(parts))
        fitting = len(parts) // stride
        lines = block.count(b"\n") - (block[-1:] == b"\n")
        if fitting != lines:
            self._unfit(parts, stride, lines - fitting)
        return b"".join(parts)

    def _mask_columns(
        self,
        parts: list[bytes],
        stride: int,
        columns: list[Column],
        stop: int,
        first: list[bytes] | None = None,
    ) -> None:
        """Mask each address column of ``parts[:stop]`` (``first``: column 1, if sliced)."""
        for index, cache in columns:
            column = first if index == 1 and first is not None else parts[index:stop:stride]
            if self._counts is not None:
                self._tally(self._counts, column, int(index == 1))
            parts[index:stop:stride] = map(cache.__getitem__, column)

    def _tally(self, counts: Counts, column: list[bytes], lead: int) -> None:
        found = self._found
        for value, n in Counter(column).items():
            ipv4, ipv6 = found[value[lead:]]
            counts.ipv4 += n * ipv4
            counts.ipv6 += n * ipv6

    def _count_value(self, value: bytes) -> tuple[int, int]:
        _, ipv4, ipv6 = self._masker.mask_bytes_counted(value)
        return ipv4, ipv6

    def _unfit(self, parts: list[bytes], stride: int, lines: int) -> None:
        """Give the `any` rules to the text between matches: the lines that did not fit."""
        fallback = self._shared.fallback
        for i in range(0, len(parts), stride):
            if len(parts[i]) > 1:
                parts[i] = fallback(parts[i])
        if self._counts is not None:
            self._counts.unfit += lines
