"""Copies of an address inside host names: ``72-53-132-234.example.net[72.53.132.234]``.

Reverse DNS names of dial-up and hosting customers spell their address out, so masking the
address achieves nothing while its name stands beside it. This pass runs on the original text,
before the core masks the addresses, and changes only the numbers of host names that spell an
address: exactly the parts the core hides of that address, written the way the core writes them.

Two kinds of evidence are used:

* a pair, where a name stands next to its address (``name[addr]``, ``name (addr)``,
  ``addr (name)``, ...): the address is known, so its four octets are looked for in the name in
  any order and notation;
* with ``standalone``, a name alone that spells a whole address in a usual notation. Nothing
  says whether ``4.3.2.1.dialup.example`` is read forwards or backwards, so whatever either
  reading would hide is hidden.

Speed: a few compiled patterns scan the whole block (each starts at a literal, so ``re`` skips
through the text at C speed); Python only runs per match, and each distinct name (with its
address) is worked out once.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipmask import grammar
from ipmask.core import CACHE_LIMIT
from ipmask.errors import AddressError
from ipmask.parse import MAPPED_PREFIX, parse_ipv4, parse_ipv6

if TYPE_CHECKING:
    from ipmask.core import Masker

__all__ = ["HostnameMasker"]

#: An edit of a block or a name: (start, end, new text).
Edit = tuple[int, int, bytes]

_IPV4 = re.compile(grammar.IPV4.encode("ascii"))
_IPV6 = re.compile(grammar.IPV6.encode("ascii"))

# Speed: ``re`` only skips through text at C speed when a pattern starts with a literal, so
# every pattern here starts at one: pairs at the "]" or ")" that closes them, which is the first
# character once the block is reversed (the name then follows its address); names alone at the
# first "-" after their first number or the "." after their last, checked by lookbehinds.

# RFC 1035 limits a name to 253 characters; longer runs are not host names. "_" is not allowed
# by RFC 952 either, but Windows machines put it in their names anyway. A name without a digit
# holds no address, so one is required (the same pattern reads forwards and backwards).
_NAME = rb"[A-Za-z_.\-]{0,252}[0-9][A-Za-z0-9_.\-]{0,252}(?![A-Za-z0-9_.:\-])"
_ADDR = rb"[0-9A-Fa-f.:]{6,50}"  # checked against the grammar later; "2000::" is the shortest
_HELO = rb"[^()\s]{1,255}"

#: Pairs, in the reversed block: group names n* are names, a* their address (both reversed).
_REVERSED_PAIRS = (
    re.compile(
        # A literal right after the address lets ``re`` skip back quickly when it fails, so the
        # RFC 5321 tag ("[IPv6:addr]", only ever seen in HELO names) is not provided for.
        rb"\](?P<a1>" + _ADDR + rb")\[(?:"
        # Postfix and ProFTPD "name[addr]"; sendmail, Exim, UW IMAP and ProFTPD "name [addr]".
        rb" ?(?P<n1>" + _NAME + rb")"
        # Exim's "name (helo) [addr]" and "(helo) [addr]": the HELO name is the client's claim,
        # and often a copy of its address.
        rb"| \)(?P<n2>" + _HELO + rb")\((?: (?P<n3>" + _NAME + rb"))?)"
    ),
    re.compile(
        # "name (addr)"
        rb"\)(?:(?P<a2>" + _ADDR + rb")\( (?P<n4>" + _NAME + rb")"
        # "addr (name)"
        rb"|(?P<n5>" + _NAME + rb")\( (?P<a3>" + _ADDR + rb")(?![A-Za-z0-9_.:\-]))"
    ),
)

#: (pattern, its address groups, its name groups), by group number.
_ROLES = tuple(
    (
        pattern,
        tuple(i for key, i in pattern.groupindex.items() if key[0] == "a"),
        tuple(i for key, i in pattern.groupindex.items() if key[0] == "n"),
    )
    for pattern in _REVERSED_PAIRS
)

#: Pairs found forwards from a literal between name and address; the side before the literal
#: is read in the reversed block with _BACK_NAME or _BACK_ADDR.
_ARG2 = re.compile(rb", arg2=(?P<a>" + _ADDR + rb")")  # sendmail: "arg1=name, arg2=addr"
_MAPS = re.compile(rb" maps to (?P<n>" + _NAME + rb")")  # sshd: "Address addr maps to name"
_BACK_NAME = re.compile(_NAME)
_BACK_ADDR = re.compile(_ADDR + rb"(?![A-Za-z0-9_.:\-])")

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
#: Which of them is worked out in Python; the pattern itself is kept cheap, as dots are many.
_ALONE_DOT = re.compile(rb"\.(?=[A-Za-z])(?:(?<=[0-9]\.)|(?<=[A-Fa-f]\.)(?=[Ii][Pp]6\.))")
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

_DIGITS = re.compile(rb"[0-9]+")
_LABEL = re.compile(rb"[^.]+")


def _orders() -> dict[tuple[int, ...], None]:
    """Octet orders a name may use, by preference: forwards, backwards, then rotations of each
    (``161.pool85-60-238`` is 85.60.238.161 with the last octet moved to the front)."""
    forward, backward = (0, 1, 2, 3), (3, 2, 1, 0)
    out: dict[tuple[int, ...], None] = {forward: None, backward: None}
    for base in (forward, backward):
        for shift in (1, 2, 3):
            out[base[shift:] + base[:shift]] = None
    return out


#: Position in the name -> octet of the address, one tuple per order.
_ORDERS = tuple(_orders())
_FORWARD, _BACKWARD = _ORDERS[0], _ORDERS[1]


@dataclass(frozen=True)
class _V4:
    """An IPv4 address and what masking does to each octet (None: the octet stays)."""

    octets: tuple[int, ...]
    masked: tuple[bytes | None, ...]
    #: The octets as a name may write them (in name order) -> position -> octet.
    orders: dict[tuple[int, ...], tuple[int, ...]]


@dataclass(frozen=True)
class _V6:
    """An IPv6 address, its masked text, and its 32 masked nibbles (hex digit or ``X``)."""

    value: int
    masked: bytes
    nibbles: bytes
    hides: bool


def _v4_plan(octets: tuple[int, ...], masked: tuple[bytes | None, ...]) -> _V4:
    orders: dict[tuple[int, ...], tuple[int, ...]] = {}
    for order in _ORDERS:
        orders.setdefault(tuple(octets[i] for i in order), order)
    return _V4(octets, masked, orders)


def _octet_changes(octets: tuple[int, ...], masked: str) -> tuple[bytes | None, ...]:
    """Per octet, the text masking writes for it, or None where it stays as it was."""
    out: list[bytes | None] = []
    for value, text in zip(octets, masked.split("."), strict=True):
        out.append(None if text.isdigit() and int(text) == value else text.encode("ascii"))
    return tuple(out)


def _nibbles(masked: bytes) -> bytes:
    """The 32 nibbles of a masked IPv6 text: hex digits, ``X`` where the style hides them."""
    if b"X" not in masked:
        return b"%032x" % parse_ipv6(masked)
    # Style x writes all eight groups; a group with an X is always four characters long.
    return b"".join(g if b"X" in g else b"%04x" % int(g, 16) for g in masked.split(b":"))


def _dotted(octets: tuple[int, ...]) -> str:
    return ".".join(map(str, octets))


def _octets(value: int) -> tuple[int, ...]:
    return (value >> 24, (value >> 16) & 255, (value >> 8) & 255, value & 255)


def _render_run(new: bytes, old: bytes, padded: bool) -> bytes:
    """A masked octet written where the number ``old`` was; in a zero-padded spelling
    (``072-053-132-234``, ``072053132234``) it keeps the number's width."""
    return new.zfill(len(old)) if padded and new.isdigit() else new


def _padded(name: bytes, runs: list[_Run]) -> bool:
    """Whether four numbers are written zero-padded: one has a leading zero, or they were cut
    from twelve digits."""
    return any(fixed or (end - start > 1 and name[start] == _ZERO) for start, end, _, fixed in runs)


#: A number in a name: (start, end, value, cut from twelve digits); value -1 if no octet.
_Run = tuple[int, int, int, bool]


def _octet_runs(name: bytes) -> list[_Run]:
    """The numbers in ``name``; twelve digits count as four zero-padded octets."""
    runs: list[_Run] = []
    for match in _DIGITS.finditer(name):
        start, end = match.span()
        width = end - start
        if width <= 3:
            runs.append((start, end, int(match[0]), False))
        elif width == 12:
            runs += [(i, i + 3, int(name[i : i + 3]), True) for i in range(start, end, 3)]
        else:
            runs.append((start, end, -1, False))
    return runs


def _find_v4(name: bytes, plan: _V4) -> list[Edit] | None:
    """Edits hiding every copy of the address in ``name``; None if the name holds none.

    A copy is four numbers in a row (only other characters between them) that are the octets
    in one of the orders names use.
    """
    runs = _octet_runs(name)
    edits: list[Edit] = []
    found = False
    i = 0
    while i + 4 <= len(runs):
        window = runs[i : i + 4]
        order = plan.orders.get(tuple(run[2] for run in window))
        if order is None:
            i += 1
            continue
        found = True
        padded = _padded(name, window)
        for (start, end, _, _), octet in zip(window, order, strict=True):
            new = plan.masked[octet]
            if new is not None:
                edits.append((start, end, _render_run(new, name[start:end], padded)))
        i += 4
    return edits if found else None


def _render_v6(spelled: bytes, plan: _V6) -> bytes:
    """The masked address written like ``spelled`` (its "-"-joined groups) was."""
    groups = spelled.split(b"-")
    if b"" in groups:
        # A compressed spelling takes the masked text as the core writes it.
        return plan.masked.replace(b":", b"-")
    out = []
    for i, group in enumerate(groups):
        nib = plan.nibbles[4 * i : 4 * i + 4]
        if b"X" in nib:
            out.append(nib)
        elif int(nib, 16) == int(group, 16):
            out.append(group)
        else:
            out.append(nib if len(group) == 4 else b"%x" % int(nib, 16))
    return b"-".join(out)


def _find_v6(name: bytes, plan: _V6) -> list[Edit] | None:
    """Edits hiding every "-"-spelled copy of the address in ``name``; None if none."""
    edits: list[Edit] = []
    found = False
    for label in _LABEL.finditer(name):
        pieces = label[0].split(b"-")
        starts = [label.start()]
        for piece in pieces:
            starts.append(starts[-1] + len(piece) + 1)
        i = 0
        while i < len(pieces):
            # An address spelled with "-" has at most ten pieces ("--1" is three).
            for j in range(min(len(pieces), i + 10), i, -1):
                text = b":".join(pieces[i:j])
                if _IPV6.fullmatch(text) and parse_ipv6(text) == plan.value:
                    found = True
                    start, end = starts[i], starts[j] - 1
                    if plan.hides:
                        edits.append((start, end, _render_v6(name[start:end], plan)))
                    i = j
                    break
            else:
                i += 1
    return edits if found else None


def _apply(text: bytes, edits: list[Edit]) -> bytes:
    """``text`` with the (sorted, non-overlapping) edits made."""
    out: list[bytes] = []
    last = 0
    for start, end, new in edits:
        out += (text[last:start], new)
        last = end
    out.append(text[last:])
    return b"".join(out)


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

_DASH, _DOT, _COLON, _SPACE, _ZERO = b"-.: 0"

#: Marks a (name, address) pair not worked out yet (None means "no copy in the name").
_UNSEEN = b"\0unseen"


class HostnameMasker:
    """Masks the copies of addresses in host names, the way the masker masks the addresses.

    Call it on a block of original lines; the masker masks the addresses afterwards.
    """

    def __init__(self, masker: Masker, *, standalone: bool) -> None:
        self._masker = masker
        self._policy = masker.policy
        self._standalone = standalone
        self._plans: dict[bytes, _V4 | _V6 | None] = {}
        # (name, address) -> the name masked, or None if the name does not spell the address.
        self._names: dict[tuple[bytes, bytes], bytes | None] = {}
        # (notation, text, read backwards only) -> the text masked.
        self._alone: dict[tuple[str, bytes, bool], bytes] = {}
        self._notations: dict[str, Callable[[bytes, bool], bytes]] = {
            "dash": self._alone_v4,
            "dot": self._alone_v4,
            "pad": self._alone_v4,
            "v6": self._alone_v6,
            "arpa": self._alone_arpa,
        }

    def __repr__(self) -> str:
        return f"HostnameMasker({self._masker!r}, standalone={self._standalone})"

    # -- the hot path -------------------------------------------------------------------------

    def __call__(self, block: bytes) -> bytes:
        """Return ``block`` with the copies of addresses in host names masked."""
        self._trim()
        rblock = block[::-1]
        edits: list[Edit] = []
        # Names that spell their pair's address; the rules for names alone leave them be.
        seen: list[tuple[int, int]] = []
        names = self._names
        for addr, start, end, name in _pairs(block, rblock):
            masked = names.get((name, addr), _UNSEEN)
            if masked is _UNSEEN:
                masked = self._pair(name, addr)
            if masked is not None:
                seen.append((start, end))
                if masked != name:
                    edits.append((start, end, masked))
        if self._standalone:
            seen.sort()
            edits += self._alone_edits(block, rblock, seen)
        if not edits:
            return block
        edits.sort()
        return _apply(block, edits)

    def mask_name(self, name: bytes) -> bytes:
        """Return one host name standing alone (a web log's ``%h``) with its address hidden."""
        if not self._standalone:
            return name
        self._trim()
        edits = self._alone_edits(name, name[::-1], [])
        return _apply(name, sorted(edits)) if edits else name

    def _trim(self) -> None:
        """Empty the caches when they are full, so that memory stays bounded on long streams."""
        if len(self._names) >= CACHE_LIMIT or len(self._alone) >= CACHE_LIMIT:
            self._names.clear()
            self._alone.clear()
            self._plans.clear()

    # -- pairs ----------------------------------------------------------------------------------

    def _pair(self, name: bytes, addr: bytes) -> bytes | None:
        """The name of a pair with the address's copies masked; None if it holds no copy."""
        masked = None
        # A name that is an address itself ("192.0.2.13[192.0.2.13]") is the core's to mask.
        if self._masker.mask_field(name) is None:
            plan = self._plan(addr)
            if plan is not None:
                edits = _find_v4(name, plan) if isinstance(plan, _V4) else _find_v6(name, plan)
                if edits is not None:
                    masked = _apply(name, edits)
        self._names[name, addr] = masked
        return masked

    def _plan(self, addr: bytes) -> _V4 | _V6 | None:
        """What masking does to an address from a pair; None if it is no address."""
        try:
            return self._plans[addr]
        except KeyError:
            pass
        plan: _V4 | _V6 | None = None
        if _IPV4.fullmatch(addr):
            plan = self._plan_v4(_octets(parse_ipv4(addr)))
        elif _IPV6.fullmatch(addr):
            value = parse_ipv6(addr)
            # The core masks a mapped address as the IPv4 address it is, and so do names.
            plan = self._plan_v6(addr) or self._plan_v4(_octets(value & 0xFFFFFFFF))
        self._plans[addr] = plan
        return plan

    def _plan_v4(self, octets: tuple[int, ...]) -> _V4:
        return _v4_plan(octets, _octet_changes(octets, self._mask(_dotted(octets))))

    def _plan_v6(self, addr: bytes) -> _V6 | None:
        """What masking does to an IPv6 address; None for an IPv4-mapped one."""
        value = parse_ipv6(addr)
        if value >> 32 == MAPPED_PREFIX:
            return None
        masked = self._mask(addr.decode("ascii")).encode("ascii")
        hides = b"X" in masked or parse_ipv6(masked) != value
        return _V6(value, masked, _nibbles(masked), hides)

    def _mask(self, address: str) -> str:
        try:
            return self._masker.mask_ip(address)
        except AddressError:  # pragma: no cover - callers pass grammar-checked text only
            return address

    # -- names alone ----------------------------------------------------------------------------

    def _alone_edits(self, block: bytes, rblock: bytes, seen: list[tuple[int, int]]) -> list[Edit]:
        """Edits for the names in ``block`` that spell an address on their own.

        ``seen`` (sorted) holds the spans of names already dealt with as part of a pair.
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
        cache = self._alone
        last = 0
        for start, minus_end, notation in spots:
            end = -minus_end
            if start < last:
                continue
            last = end
            text = block[start:end]
            backwards = notation == "dot" and _IN_ADDR.match(block, end) is not None
            key = (notation, text, backwards)
            masked = cache.get(key)
            if masked is None:
                masked = cache[key] = self._notations[notation](text, backwards)
            if masked != text:
                edits.append((start, end, masked))
        return edits

    def _alone_v4(self, text: bytes, backwards: bool) -> bytes:
        """Mask four octets that stand alone, hiding what either reading would hide."""
        runs = _octet_runs(text)
        values = tuple(run[2] for run in runs)
        if len(values) != 4 or not all(0 <= value <= 255 for value in values):
            return text
        readings = (_BACKWARD,) if backwards else (_FORWARD, _BACKWARD)
        addresses = [tuple(values[i] for i in order) for order in readings]
        policy = self._policy
        # A name that spells a kept address in either reading is taken to be one's own.
        if policy.keep and any(policy.keeps(4, parse_ipv4(_dotted(a).encode())) for a in addresses):
            return text
        hidden: list[bytes | None] = [None] * 4
        for order, octets in zip(readings, addresses, strict=True):
            changes = _octet_changes(octets, self._mask(_dotted(octets)))
            for position, octet in enumerate(order):
                hidden[position] = _union(hidden[position], changes[octet], values[position])
        padded = _padded(text, runs)
        edits = [
            (start, end, _render_run(new, text[start:end], padded))
            for (start, end, _, _), new in zip(runs, hidden, strict=True)
            if new is not None
        ]
        return _apply(text, edits)

    def _alone_v6(self, text: bytes, backwards: bool) -> bytes:
        """Mask an IPv6 address spelled with "-" standing alone."""
        addr = text.replace(b"-", b":")
        if not _IPV6.fullmatch(addr):
            return text
        plan = self._plan_v6(addr)
        return _render_v6(text, plan) if plan is not None and plan.hides else text

    def _alone_arpa(self, text: bytes, backwards: bool) -> bytes:
        """Mask an ``ip6.arpa`` name: its nibbles are the address's, last first."""
        nibbles = text[0:64:2][::-1]
        plan = self._plan_v6(b":".join(nibbles[i : i + 4] for i in range(0, 32, 4)))
        if plan is None or not plan.hides:
            return text
        out = bytearray(text)
        for i, nibble in enumerate(plan.nibbles[::-1]):
            if nibble != text[2 * i : 2 * i + 1].lower()[0]:
                out[2 * i] = nibble
        return bytes(out)


def _pairs(block: bytes, rblock: bytes) -> Iterator[tuple[bytes, int, int, bytes]]:
    """(address, start, end, name) for each name standing next to an address in ``block``."""
    size = len(block)
    for pattern, addrs, names in _ROLES:
        for match in pattern.finditer(rblock):
            addr = next(filter(None, map(match.group, addrs)))[::-1]
            for group in names:
                start, end = match.span(group)
                if start >= 0:
                    yield addr, size - end, size - start, rblock[start:end][::-1]
    for match in _ARG2.finditer(block):
        name = _BACK_NAME.match(rblock, size - match.start())
        if name is not None:
            yield match["a"], match.start() - len(name[0]), match.start(), name[0][::-1]
    for match in _MAPS.finditer(block):
        addr = _BACK_ADDR.match(rblock, size - match.start())
        if addr is not None:
            start, end = match.span("n")
            yield addr[0][::-1], start, end, match["n"]


def _union(old: bytes | None, new: bytes | None, value: int) -> bytes | None:
    """Combine two readings' changes to one octet (same style): the more hidden one wins."""
    if old is None or new is None:
        return old or new
    if not old.isdigit():  # style x: "XXX" either way
        return old
    combined = int(old) & int(new)  # zero style: each reading cleared the bits it hides
    return None if combined == value else b"%d" % combined
