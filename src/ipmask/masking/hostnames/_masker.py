"""The host-name pass: masks the copies of addresses in host names, as the masker masks them."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ipmask.masking._cache import Cache, Limits
from ipmask.masking.hostnames._alone import AloneNames
from ipmask.masking.hostnames._pairs import pairs
from ipmask.masking.hostnames._plans import Plans, V4Plan
from ipmask.masking.hostnames._spelling import Edit, apply_edits, find_v4, find_v6

if TYPE_CHECKING:
    from ipmask.masking._masker import Masker

__all__ = ["HostnameMasker"]


class HostnameMasker:
    """Masks the copies of addresses in host names, the way the masker masks the addresses.

    Call it on a block of original lines; the masker masks the addresses afterwards. Names
    beside their address are always masked; ``standalone`` says whether names standing alone
    are too, unless a call says otherwise (``alone``): the filters of one input share one
    host-name masker, and with it its caches.
    """

    def __init__(self, masker: Masker, *, standalone: bool) -> None:
        self._masker = masker
        self._standalone = standalone
        self._plans = Plans(masker)
        self._alone = AloneNames(self._plans)
        # (name, address) -> the name masked, or None if the name does not spell the address.
        self._names: Cache[tuple[bytes, bytes], bytes | None] = Cache(self._pair, Limits.NAMES)

    def __repr__(self) -> str:
        return f"HostnameMasker({self._masker!r}, standalone={self._standalone})"

    def __call__(self, block: bytes, *, alone: bool | None = None) -> bytes:
        """Return ``block`` with the copies of addresses in host names masked."""
        edits = self.edits(block, alone=alone)
        return apply_edits(block, edits) if edits else block

    def edits(self, block: bytes, *, alone: bool | None = None) -> list[Edit]:
        """The changes ``self(block)`` makes, as sorted ``(start, end, new text)`` triples.

        A filter that must leave some fields of its lines alone can drop the edits inside
        them and apply the rest with :func:`ipmask.masking.hostnames.apply_edits`.
        """
        rblock = block[::-1]
        edits: list[Edit] = []
        # Names that spell their pair's address; the rules for names alone leave them be.
        seen: list[tuple[int, int]] = []
        names = self._names
        for addr, start, end, name in pairs(block, rblock):
            masked = names[name, addr]
            if masked is not None:
                seen.append((start, end))
                if masked != name:
                    edits.append((start, end, masked))
        if self._standalone if alone is None else alone:
            seen.sort()
            edits += self._alone.edits(block, rblock, seen)
        edits.sort()
        return edits

    def mask_name(self, name: bytes) -> bytes:
        """Return one host name standing alone (a web log's ``%h``) with its address hidden."""
        if not self._standalone:
            return name
        edits = self._alone.edits(name, name[::-1], [])
        return apply_edits(name, sorted(edits)) if edits else name

    def _pair(self, pair: tuple[bytes, bytes]) -> bytes | None:
        """The name of a pair with the address's copies masked; None if it holds no copy."""
        name, addr = pair
        masked = None
        # A name that is an address itself ("192.0.2.13[192.0.2.13]") is the masker's to mask.
        if self._masker.mask_field(name) is None:
            plan = self._plans(addr)
            if plan is not None:
                edits = find_v4(name, plan) if isinstance(plan, V4Plan) else find_v6(name, plan)
                if edits is not None:
                    masked = apply_edits(name, edits)
        return masked
