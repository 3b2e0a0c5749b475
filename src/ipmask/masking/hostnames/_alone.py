"""Host names standing alone that spell a whole address: ``ip-203-0-113-5``, ``4.3.2.1.dsl``.

No address stands beside such a name, so only a usual notation counts: four numbers joined by
"-", four dotted numbers before a label with a letter, twelve zero-padded digits, an IPv6
address with "-" for ":", or an ``ip6.arpa`` name. Nothing says whether ``4.3.2.1.dialup.example``
is read forwards or backwards, so whatever either reading would hide is hidden (``in-addr.arpa``
says which one it is).

Speed: each pattern starts at a literal, the first "-" after a name's first number or the "."
after its last, and checks what stands before it with fixed-width lookbehinds; Python only
runs where those found the start of an address.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

from ipmask.masking._cache import Cache, Limits
from ipmask.masking._parse import parse_ipv4
from ipmask.masking.hostnames._plans import BACKWARD, FORWARD, IPV6, Plans, dotted, octet_changes
from ipmask.masking.hostnames._spelling import (
    Edit,
    apply_edits,
    octet_runs,
    padded,
    render_run,
    render_v6,
    union,
)

__all__ = ["AloneNames"]

_H16 = rb"[0-9A-Fa-f]{1,4}"
#: Names alone, from the first "-" after their first number.
_ALONE_DASH = re.compile(
    rb"-(?:"
    # IPv6 with "-" for ":", global unicast only (2000::/3): "2001-db8--1", "2a01-4f8-...".
    rb"(?<=[23][0-9A-Fa-f]{3}-)(?P<v6>"
    + _H16
    + rb"(?:-"
    + _H16
    + rb"){6}|(?:"
    + _H16
    + rb"-){0,5}-(?:"
    + _H16
    + rb"(?:-"
    + _H16
    + rb"){0,5})?)(?![0-9A-Za-z])"
    # "ip-203-0-113-5", "s166-62-100-187": exactly four numbers joined by "-".
    rb"|(?<=[0-9]-)(?P<dash>[0-9]{1,3}-[0-9]{1,3}-[0-9]{1,3})(?![0-9])(?!-[0-9])"
    # "dsl-072053132234-static": twelve digits.
    rb"|(?<=[0-9]{12}-)(?<![0-9]{13}-)(?P<pad>)"
    rb")"
)
#: Names alone, from the "." after their last number, when a label with a letter follows: the
#: four numbers or the twelve digits before it, or the 32 nibbles before "ip6.arpa" (RFC 3596).
#: Which of them is worked out in Python; dots are many, so the pattern checks in C what it
#: cheaply can: a digit before, and a number of one to three digits (or of twelve) ending there.
_ALONE_DOT = re.compile(
    rb"\.(?=[A-Za-z])(?:"
    rb"(?<=[0-9]\.)(?:(?<=\.[0-9]\.)|(?<=\.[0-9]{2}\.)|(?<=\.[0-9]{3}\.)|(?<=[0-9]{12}\.))"
    rb"|(?<=[0-9A-Fa-f]\.)(?=[Ii][Pp]6\.))"
)
_ARPA = re.compile(rb"\.[Ii][Pp]6\.[Aa][Rr][Pp][Aa](?![0-9A-Za-z_\-])")
_QUAD = re.compile(rb"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}")  # read backwards
_RUN = re.compile(rb"[0-9]{1,13}")  # read backwards
_NIBBLES = re.compile(rb"(?:[0-9A-Fa-f]\.){31}[0-9A-Fa-f]")
_IN_ADDR = re.compile(rb"\.[Ii][Nn]-[Aa][Dd][Dd][Rr]\.[Aa][Rr][Pp][Aa](?![0-9A-Za-z_\-])")
_LEAD = re.compile(rb"[0-9]{1,4}")  # read backwards: the first number of a name alone
_TOKEN = re.compile(rb"[A-Za-z0-9_.\-]{0,254}")
_LETTER = re.compile(rb"[A-Za-z]")
_TLD = re.compile(rb"\.[A-Za-z0-9\-]*[A-Za-z][A-Za-z0-9\-]*\Z")
_NAME_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NOT_BEFORE_V6 = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:")
_DIGIT_BYTES = frozenset(b"0123456789")
_LABEL_END = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-")
_DASH, _DOT, _COLON, _SPACE = b"-.: "


def _width(pattern: re.Pattern[bytes], text: bytes, pos: int) -> int:
    """How much of ``text`` from ``pos`` on ``pattern`` matches (0 if it does not)."""
    match = pattern.match(text, pos)
    return match.end() - pos if match else 0


def _in_name(block: bytes, rblock: bytes, start: int, end: int, dotted: bool) -> bool:
    """Whether ``block[start:end]`` stands in a host name: a run of name characters of at most
    253 with a letter in it; with ``dotted``, one whose last label (after a ".") has a letter.
    ``rblock`` is ``block`` reversed, where the part before ``start`` is read."""
    left = start - _width(_TOKEN, rblock, len(block) - start)
    right = end + _width(_TOKEN, block, end)
    if right - left > 253 or not _LETTER.search(block, left, right):
        return False
    return not dotted or _TLD.search(block, left, right) is not None


def _lead(block: bytes, rblock: bytes, pos: int) -> int:
    """Where the number that ends at ``pos`` starts; -1 if it has more than three digits."""
    width = _width(_LEAD, rblock, len(block) - pos)
    return pos - width if width <= 3 else -1


#: A spot: (notation, start, end) of a name alone; notation "" if there is none after all.
_Spot = tuple[str, int, int]
_NONE: _Spot = ("", -1, -1)


def _spot_dashed(match: re.Match[bytes], block: bytes, rblock: bytes) -> _Spot:
    """Where the name alone found by _ALONE_DASH is."""
    notation = match.lastgroup or ""  # every branch ends in a named group
    pos, end = match.span()
    if notation == "v6":
        start = pos - 4
        return _NONE if start and block[start - 1] in _NOT_BEFORE_V6 else (notation, start, end)
    if notation == "pad":
        start, end = pos - 12, pos
        return (notation, start, end) if _in_name(block, rblock, start, end, True) else _NONE
    start = _lead(block, rblock, pos)
    # Exactly four numbers: "1-2-3-4-5" is no address.
    if start < 0 or (start >= 2 and block[start - 1] == _DASH and block[start - 2] in _DIGIT_BYTES):
        return _NONE
    return (notation, start, end) if _in_name(block, rblock, start, end, False) else _NONE


def _spot_dotted(match: re.Match[bytes], block: bytes, rblock: bytes) -> _Spot:
    """Where the name alone found by _ALONE_DOT is."""
    end = match.start()
    arpa = _ARPA.match(block, end)
    if arpa is not None:
        start = end - 63
        if start < 0 or not _NIBBLES.fullmatch(block, start, end):
            return _NONE
        return _NONE if start and block[start - 1] in _NAME_BYTES else ("arpa", start, arpa.end())
    back = len(block) - end
    if _width(_RUN, rblock, back) == 12:
        start = end - 12
        return ("pad", start, end) if _in_name(block, rblock, start, end, True) else _NONE
    quad = _QUAD.match(rblock, back)
    if quad is None:
        return _NONE
    start = end - len(quad[0])
    before = block[start - 1] if start else _SPACE
    # The first number starts the name, or follows a label that does not end in a digit.
    glued = before in _NAME_BYTES or before == _COLON
    if glued and (before != _DOT or start < 2 or block[start - 2] not in _LABEL_END):
        return _NONE
    return "dot", start, end


#: The patterns for names alone, each with the function that tells where its name is.
_ALONE = (
    (_ALONE_DASH, _spot_dashed),
    (_ALONE_DOT, _spot_dotted),
)


class AloneNames:
    """Finds the names alone in a block and masks them, each distinct one worked out once."""

    def __init__(self, plans: Plans) -> None:
        self._plans = plans
        self._policy = plans.policy
        # (notation, text, read backwards only) -> the text masked.
        self._cache: Cache[tuple[str, bytes, bool], bytes] = Cache(self._mask, Limits.NAMES)
        self._notations: dict[str, Callable[[bytes, bool], bytes]] = {
            "dash": self._v4,
            "dot": self._v4,
            "pad": self._v4,
            "v6": self._v6,
            "arpa": self._arpa,
        }

    def edits(self, block: bytes, rblock: bytes, seen: list[tuple[int, int]]) -> list[Edit]:
        """Edits for the names in ``block`` that spell an address on their own.

        ``rblock`` is ``block`` reversed; ``seen`` (sorted) holds the spans of names already
        dealt with as part of a pair.
        """
        spots: list[tuple[int, int, str]] = []
        starts = [start for start, _ in seen]
        for pattern, spot in _ALONE:
            for match in pattern.finditer(block):
                # A name alone lies in one run of name characters, and a pair's name spans its
                # whole run, so where the match starts tells whether the name was seen.
                i = bisect_right(starts, match.start())
                if i and seen[i - 1][1] > match.start():
                    continue
                notation, start, end = spot(match, block, rblock)
                if notation:
                    spots.append((start, -end, notation))
        # Where spots overlap, the longest wins ("4.0.1.0" inside an ip6.arpa name loses).
        spots.sort()
        edits: list[Edit] = []
        cache = self._cache
        last = 0
        for start, minus_end, notation in spots:
            end = -minus_end
            if start < last:
                continue
            last = end
            text = block[start:end]
            backwards = notation == "dot" and _IN_ADDR.match(block, end) is not None
            masked = cache[notation, text, backwards]
            if masked != text:
                edits.append((start, end, masked))
        return edits

    def _mask(self, key: tuple[str, bytes, bool]) -> bytes:
        notation, text, backwards = key
        return self._notations[notation](text, backwards)

    def _v4(self, text: bytes, backwards: bool) -> bytes:
        """Mask four octets that stand alone, hiding what either reading would hide."""
        runs = octet_runs(text)
        values = tuple(run[2] for run in runs)
        if len(values) != 4 or not all(0 <= value <= 255 for value in values):
            return text
        readings = (BACKWARD,) if backwards else (FORWARD, BACKWARD)
        addresses = [tuple(values[i] for i in order) for order in readings]
        policy = self._policy
        # A name that spells a kept address in either reading is taken to be one's own.
        if policy.keep and any(policy.keeps(4, parse_ipv4(dotted(a).encode())) for a in addresses):
            return text
        hidden: list[bytes | None] = [None] * 4
        for order, octets in zip(readings, addresses, strict=True):
            changes = octet_changes(octets, self._plans.mask(dotted(octets)))
            for position, octet in enumerate(order):
                hidden[position] = union(hidden[position], changes[octet], values[position])
        is_padded = padded(text, runs)
        edits = [
            (start, end, render_run(new, text[start:end], is_padded))
            for (start, end, _, _), new in zip(runs, hidden, strict=True)
            if new is not None
        ]
        return apply_edits(text, edits)

    def _v6(self, text: bytes, backwards: bool) -> bytes:
        """Mask an IPv6 address spelled with "-" standing alone."""
        addr = text.replace(b"-", b":")
        if not IPV6.fullmatch(addr):
            return text
        plan = self._plans.v6(addr)
        return render_v6(text, plan) if plan is not None and plan.hides else text

    def _arpa(self, text: bytes, backwards: bool) -> bytes:
        """Mask an ``ip6.arpa`` name: its nibbles are the address's, last first."""
        nibbles = text[0:64:2][::-1]
        plan = self._plans.v6(b":".join(nibbles[i : i + 4] for i in range(0, 32, 4)))
        if plan is None or not plan.hides:
            return text
        out = bytearray(text)
        for i, nibble in enumerate(plan.nibbles[::-1]):
            if nibble != text[2 * i : 2 * i + 1].lower()[0]:
                out[2 * i] = nibble
        return bytes(out)
