"""One scanning pass over a block for one address family: split, look up, fix up, join.

A pass runs no Python code per line and, for an address seen before, none per address either:

1. one ``re.split`` over the whole block with the family's scanning pattern
   (``_grammar.SCAN_V6`` or ``_grammar.SCAN_V4``), which starts at an address's first
   separator, so the engine skips quickly through other text;
2. the groups of each match form a key (body plus the lead captured by a lookbehind), and a
   :class:`~ipmask.masking._cache.Cache` maps keys to replacements;
   ``map(cache.__getitem__, keys)`` runs in C and only calls back into Python for an address
   not seen lately;
3. ``b"".join`` puts text and replacements back together.

The leading group of an address stays in the text before the match, because a lookbehind
does not consume it. That is right whenever masking keeps the lead as written, which is the
usual case; when it does not (``078.46.198.140``, an upper-case IPv6 address, a prefix
shorter than the first group) the key is recorded as needing its lead rewritten, and a
fix-up pass trims the lead from the preceding text for those matches only.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ipmask.masking._cache import Cache, Limits

__all__ = ["AddressMasker", "Key", "Pass"]

#: A match's groups: (body, lead per width...); at most one lead is not None.
Key = tuple["bytes | None", ...]
#: Masks one whole address: (text, family) -> (new text, family counted, 0 if unchanged).
AddressMasker = Callable[[bytes, int], tuple[bytes, int]]


class Pass:
    """One family's scan: its pattern, and three caches that turn over together.

    The caches rotate only between blocks: the fix-up in :meth:`split` needs every key of the
    block to stay known until the block is done.
    """

    __slots__ = ("_family", "_mask", "_pattern", "_stride", "families", "relead", "repl")

    def __init__(self, pattern: str, family: int, mask: AddressMasker) -> None:
        self._pattern = re.compile(pattern.encode("ascii"))
        self._stride = self._pattern.groups + 1
        self._family = family
        self._mask = mask
        # Key -> text that replaces the match.
        self.repl: Cache[Key, bytes] = Cache(
            self._replacement, Limits.ADDRESSES, rotate_on_miss=False, revive=self._revive
        )
        # Key -> family counted as masked (4 or 6; 0 when the text stays as it is).
        self.families: Cache[Key, int] = Cache(limit=Limits.ADDRESSES, rotate_on_miss=False)
        # Key -> length of the lead that must be cut from the text before the match.
        self.relead: Cache[Key, int] = Cache(limit=Limits.ADDRESSES, rotate_on_miss=False)

    def _replacement(self, key: Key) -> bytes:
        """Compute what replaces a match; record its family and whether its lead changes."""
        body = key[0] or b""
        lead = next((g for g in key[1:] if g is not None), b"")
        full = lead + body
        masked, family = self._mask(full, self._family)
        self.families[key] = family if masked != full else 0
        if masked.startswith(lead):
            return masked[len(lead) :]
        self.relead[key] = len(lead)
        return masked

    def _revive(self, key: Key) -> None:
        """Move a key's family and lead cut to the young generation along with its text."""
        self.families[key] = self.families.peek(key) or 0
        cut = self.relead.peek(key)
        if cut:
            self.relead[key] = cut

    def _turn_over(self) -> None:
        """Between blocks: turn the three caches over together once they are full."""
        if self.repl.rotate_if_full():
            self.families.rotate()
            self.relead.rotate()

    def split(self, data: bytes) -> tuple[list[bytes], list[Key], list[bytes]]:
        """Return (texts, keys, replacements); texts has one item more than keys."""
        self._turn_over()
        parts = self._pattern.split(data)
        stride = self._stride
        texts: list[bytes] = parts[0::stride]
        # All slices have one item per match, so zip never drops anything here.
        keys: list[Key] = list(zip(*(parts[i::stride] for i in range(1, stride)), strict=True))
        repl = list(map(self.repl.__getitem__, keys))
        relead = self.relead
        if relead.holds_any(keys):
            for i, key in enumerate(keys):
                cut = relead.peek(key)
                if cut:
                    texts[i] = texts[i][:-cut]
        return texts, keys, repl

    def apply(self, data: bytes) -> bytes:
        """Mask this family's addresses in ``data``."""
        texts, keys, repl = self.split(data)
        if not keys:
            return data
        return _join(texts, repl)

    def apply_counted(self, data: bytes) -> tuple[bytes, list[int]]:
        """Mask as :meth:`apply` does; also return the family counted for each match."""
        texts, keys, repl = self.split(data)
        if not keys:
            return data, []
        return _join(texts, repl), list(map(self.families.__getitem__, keys))

    def spans(self, data: bytes) -> list[tuple[int, int]]:
        """Return (start, end) of each address of this family that masking would change."""
        self._turn_over()
        out = []
        for match in self._pattern.finditer(data):
            key: Key = match.groups()
            self.repl[key]  # computes the replacement and records the key's family
            if self.families[key]:
                lead = next((g for g in key[1:] if g is not None), b"")
                out.append((match.start() - len(lead), match.end()))
        return out


def _join(texts: list[bytes], repl: list[bytes]) -> bytes:
    out: list[bytes] = [b""] * (2 * len(repl) + 1)
    out[0::2] = texts
    out[1::2] = repl
    return b"".join(out)
