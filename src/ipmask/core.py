"""The masking engine: find every address in bytes or text and replace it by its masked form.

The hot path is :meth:`Masker.mask_bytes`. It runs no Python code per line and, for an
address seen before, none per address either:

1. one ``re.split`` over the whole block per family, IPv6 first, with the scanning patterns
   (``grammar.SCAN_V6``, ``grammar.SCAN_V4``), which start at an address's first separator,
   so the engine skips quickly through other text;
2. the groups of each match form a key (body plus the lead captured by a lookbehind), and a
   ``dict`` subclass maps keys to replacements; ``map(cache.__getitem__, keys)`` runs in C and
   only calls back into Python (``__missing__``) for an address not seen lately (the caches
   keep two generations, see ``ipmask.cache``);
3. ``b"".join`` puts text and replacements back together.

The leading group of an address stays in the text before the match, because a lookbehind
does not consume it. That is right whenever masking keeps the lead as written, which is the
usual case; when it does not (``078.46.198.140``, an upper-case IPv6 address, a prefix
shorter than the first group) the key is recorded as needing its lead rewritten, and a
fix-up pass trims the lead from the preceding text for those matches only.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import AnyStr

from ipmask import grammar
from ipmask.errors import AddressError
from ipmask.parse import MAPPED_PREFIX, parse_ipv4, parse_ipv6
from ipmask.policy import Policy
from ipmask.render import RENDERERS, ipv4_text_rule

__all__ = ["Masker", "mask_ip", "mask_text"]

#: A match's groups: (body, lead per width...); at most one lead is not None.
Key = tuple["bytes | None", ...]
#: Masks one whole address: (text, family) -> (new text, family counted, 0 if unchanged).
AddressMasker = Callable[[bytes, int], tuple[bytes, int]]

_SINGLE = re.compile(
    rf"(?P<addr>{grammar.IPV4}|{grammar.IPV6})(?P<zone>{grammar.ZONE})?".encode("ascii")
)
_FIELD = re.compile(
    (
        rf"(?P<open>\[(?:[Ii][Pp][Vv]6:)?)?(?P<addr>{grammar.IPV4}|{grammar.IPV6})"
        rf"(?P<zone>{grammar.ZONE})?(?(open)\])(?P<port>[:.][0-9]{{1,5}})?"
    ).encode("ascii")
)

#: Matches kept per pass and generation (see ``ipmask.cache``): logs repeat clients heavily,
#: with a long tail of clients seen once.
CACHE_LIMIT = 1 << 13


def _canonical_v4(lead: bytes, kept: int) -> re.Pattern[bytes]:
    """``lead`` and a canonical dotted quad; group 1 is the lead and the kept octets."""
    octet = grammar.CANONICAL_OCTET.encode("ascii")
    if kept == 4:
        head, rest = rb"(?:%s\.){3}%s" % (octet, octet), b""
    else:
        head = rb"(?:%s\.){%d}" % (octet, kept)
        rest = rb"%s(?:\.%s){%d}" % (octet, octet, 3 - kept)
    return re.compile(b"(" + re.escape(lead) + head + b")" + rest)


class _Replacements(dict[Key, bytes]):
    """Match key -> text that replaces the match; computes unseen keys on first use."""

    __slots__ = ("_compute",)

    def __init__(self, compute: Callable[[Key], bytes]) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, key: Key) -> bytes:
        value = self[key] = self._compute(key)
        return value


class _Pass:
    """One scan over a block for one family: pattern, caches and the split/join steps.

    The caches have two generations, as ``ipmask.cache.Cache`` does, but they rotate only
    between blocks: the fix-up in :meth:`split` needs every key of the block to stay known
    until the block is done.
    """

    __slots__ = (
        "_family",
        "_mask",
        "_old",
        "_pattern",
        "_stride",
        "families",
        "relead",
        "repl",
    )

    def __init__(self, pattern: str, family: int, mask: AddressMasker) -> None:
        self._pattern = re.compile(pattern.encode("ascii"))
        self._stride = self._pattern.groups + 1
        self._family = family
        self._mask = mask
        self.repl = _Replacements(self._replacement)
        # Key -> family counted as masked (4 or 6; 0 when the text stays as it is).
        self.families: dict[Key, int] = {}
        # Key -> length of the lead that must be cut from the text before the match.
        self.relead: dict[Key, int] = {}
        # The previous generation: (repl, families, relead).
        self._old: tuple[dict[Key, bytes], dict[Key, int], dict[Key, int]] = ({}, {}, {})

    def _replacement(self, key: Key) -> bytes:
        """Compute what replaces a match; record its family and whether its lead changes."""
        repl, families, relead = self._old
        if key in repl:
            self.families[key] = families[key]
            if key in relead:
                self.relead[key] = relead[key]
            return repl[key]
        body = key[0] or b""
        lead = next((g for g in key[1:] if g is not None), b"")
        full = lead + body
        masked, family = self._mask(full, self._family)
        self.families[key] = family if masked != full else 0
        if masked.startswith(lead):
            return masked[len(lead) :]
        self.relead[key] = len(lead)
        return masked

    def _rotate(self) -> None:
        self._old = (dict(self.repl), self.families, self.relead)
        self.repl.clear()
        self.families = {}
        self.relead = {}

    def split(self, data: bytes) -> tuple[list[bytes], list[Key], list[bytes]]:
        """Return (texts, keys, replacements); texts has one item more than keys."""
        if len(self.repl) >= CACHE_LIMIT:
            self._rotate()
        parts = self._pattern.split(data)
        stride = self._stride
        texts: list[bytes] = parts[0::stride]
        # All slices have one item per match, so zip never drops anything here.
        keys: list[Key] = list(zip(*(parts[i::stride] for i in range(1, stride)), strict=True))
        repl = list(map(self.repl.__getitem__, keys))
        if self.relead and not self.relead.keys().isdisjoint(keys):
            relead = self.relead
            for i, key in enumerate(keys):
                cut = relead.get(key)
                if cut:
                    texts[i] = texts[i][:-cut]
        return texts, keys, repl

    def apply(self, data: bytes) -> bytes:
        """Mask this family's addresses in ``data``."""
        texts, keys, repl = self.split(data)
        if not keys:
            return data
        out: list[bytes] = [b""] * (2 * len(keys) + 1)
        out[0::2] = texts
        out[1::2] = repl
        return b"".join(out)

    def apply_counted(self, data: bytes) -> tuple[bytes, list[int]]:
        """Mask as :meth:`apply` does; also return the family counted for each match."""
        texts, keys, repl = self.split(data)
        if not keys:
            return data, []
        out: list[bytes] = [b""] * (2 * len(keys) + 1)
        out[0::2] = texts
        out[1::2] = repl
        return b"".join(out), list(map(self.families.__getitem__, keys))

    def spans(self, data: bytes) -> list[tuple[int, int]]:
        """Return (start, end) of each address of this family that masking would change."""
        out = []
        for match in self._pattern.finditer(data):
            key: Key = match.groups()
            self.repl[key]  # computes the replacement and records the key's family
            if self.families[key]:
                lead = next((g for g in key[1:] if g is not None), b"")
                out.append((match.start() - len(lead), match.end()))
        return out


class Masker:
    """A configured masking policy with its caches: set up once, then call it many times.

    >>> Masker().mask_ip("78.46.198.140")
    '78.46.198.XXX'
    """

    __slots__ = ("_hidden4", "_quick4", "_render4", "_render6", "_rule4", "_v4", "_v6", "policy")

    def __init__(
        self,
        ipv4_prefix: int = 24,
        ipv6_prefix: int = 44,
        style: str = "x",
        keep: Iterable[str] = (),
    ) -> None:
        self.policy = Policy.create(ipv4_prefix, ipv6_prefix, style, keep)
        make4, make6 = RENDERERS[self.policy.style]
        self._render4 = make4(self.policy.ipv4_prefix)
        self._render6 = make6(self.policy.ipv6_prefix)
        self._v6 = _Pass(grammar.SCAN_V6, 6, self._mask_address)
        self._v4 = _Pass(grammar.SCAN_V4, 4, self._mask_address)
        # Keep networks need the value, so then every address is read as a number.
        policy = self.policy
        self._rule4 = None if policy.keep else ipv4_text_rule(policy.style, policy.ipv4_prefix)
        self._quick4 = None if self._rule4 is None else _canonical_v4(b"", self._rule4[0]).fullmatch
        self._hidden4 = b"" if self._rule4 is None else self._rule4[1]

    def __repr__(self) -> str:
        p = self.policy
        return (
            f"Masker(ipv4_prefix={p.ipv4_prefix}, ipv6_prefix={p.ipv6_prefix}, "
            f"style={p.style!r}, keep={len(p.keep)} networks)"
        )

    # -- one address ------------------------------------------------------------------

    def _mask_address(self, text: bytes, family: int) -> tuple[bytes, int]:
        """Mask one whole address; return the new text and the family counted (0 if kept)."""
        if family == 4:
            return self._mask_ipv4(text)
        policy = self.policy
        value = parse_ipv6(text)
        if value >> 32 == MAPPED_PREFIX:
            # An IPv4 client seen through an IPv6 socket: mask it as the IPv4 address it is.
            v4 = value & 0xFFFFFFFF
            if policy.keep and (policy.keeps(4, v4) or policy.keeps(6, value)):
                return text, 0
            return b"::ffff:" + self._render4(v4), 4
        if policy.keep and policy.keeps(6, value):
            return text, 0
        return self._render6(value), 6

    def _mask_ipv4(self, text: bytes) -> tuple[bytes, int]:
        quick = None if self._quick4 is None else self._quick4(text)
        if quick is not None:
            return quick[1] + self._hidden4, 4
        value = parse_ipv4(text)
        if self.policy.keep and self.policy.keeps(4, value):
            return text, 0
        return self._render4(value), 4

    def mask_ip(self, address: str) -> str:
        """Mask one address (a zone id such as ``%eth0`` is kept); AddressError otherwise."""
        raw = address.encode("utf-8", "surrogatepass") if isinstance(address, str) else b""
        match = _SINGLE.fullmatch(raw)
        if match is None:
            raise AddressError(f"not an IP address: {address!r}")
        addr = match["addr"]
        masked, _ = self._mask_address(addr, 6 if b":" in addr else 4)
        return (masked + (match["zone"] or b"")).decode("ascii")

    def mask_field(self, field: bytes) -> bytes | None:
        """Mask a field that should hold exactly one address, or return None if it does not.

        Accepted decorations: ``[addr]``, ``[IPv6:addr]``, ``[addr]:port``, ``addr:port``
        (IPv4, or IPv6 when the port cannot be a group), ``addr.port`` and ``addr%zone``.
        Nothing is cached here: a caller that sees the same fields again keeps an
        :class:`ipmask.cache.Cache` of its own.
        """
        quick = None if self._quick4 is None else self._quick4(field)
        if quick is not None:
            # The usual field: a bare address as a daemon writes it.
            return quick[1] + self._hidden4
        match = _FIELD.fullmatch(field)
        if match is None:
            return None
        addr = match["addr"]
        masked, _ = self._mask_address(addr, 6 if b":" in addr else 4)
        start, end = match.span("addr")
        return field[:start] + masked + field[end:]

    def field_masker(self, lead: bytes = b"") -> Callable[[bytes], bytes | None]:
        """:meth:`mask_field` for values that start with ``lead``, which stays as it is.

        Returns None for a value without the lead or without a field after it. Made for a
        cache that calls it once per distinct value: a canonical IPv4 address, the usual
        field, takes one regular expression match and no other work.
        """
        size = len(lead)
        mask_field = self.mask_field

        def general(value: bytes) -> bytes | None:
            if not value.startswith(lead):
                return None
            masked = mask_field(value[size:])
            return None if masked is None else lead + masked

        if self._rule4 is None:
            return general
        match = _canonical_v4(lead, self._rule4[0]).fullmatch
        hidden = self._hidden4

        def quick(value: bytes) -> bytes | None:
            found = match(value)
            return general(value) if found is None else found[1] + hidden

        return quick

    # -- text ---------------------------------------------------------------------------

    def mask_bytes(self, data: bytes) -> bytes:
        """Mask every address in ``data`` (any number of lines); never raises on content."""
        return self._v4.apply(self._v6.apply(data))

    def mask_bytes_counted(self, data: bytes) -> tuple[bytes, int, int]:
        """Like :meth:`mask_bytes`, and also return how many IPv4 and IPv6 were masked.

        An IPv4-mapped IPv6 address counts as IPv4; kept addresses are not counted.
        """
        data, fam6 = self._v6.apply_counted(data)
        data, fam4 = self._v4.apply_counted(data)
        return data, fam4.count(4) + fam6.count(4), fam6.count(6)

    def addresses(self, data: bytes) -> list[bytes]:
        """Return the addresses in ``data`` that masking would change, in order of appearance."""
        spans = self._v6.spans(data)
        taken = spans[:]
        for start, end in self._v4.spans(data):
            # The IPv4 pass runs on the original text here, so skip dotted tails of IPv6.
            if not any(s <= start < e for s, e in taken):
                spans.append((start, end))
        return [data[s:e] for s, e in sorted(spans)]

    def mask_text(self, text: AnyStr) -> AnyStr:
        """Mask every address in ``text``; returns the same type (``str`` or ``bytes``)."""
        if isinstance(text, bytes):
            return self.mask_bytes(text)
        # surrogatepass makes the round trip lossless for any str, lone surrogates included.
        raw = text.encode("utf-8", "surrogatepass")
        return self.mask_bytes(raw).decode("utf-8", "surrogatepass")


@lru_cache(maxsize=16)
def _masker(ipv4_prefix: int, ipv6_prefix: int, style: str, keep: tuple[str, ...] | str) -> Masker:
    return Masker(ipv4_prefix, ipv6_prefix, style, keep)


def mask_ip(address: str, *, ipv4_prefix: int = 24, ipv6_prefix: int = 44, style: str = "x") -> str:
    """Mask one address: ``mask_ip("78.46.198.140") == "78.46.198.XXX"``."""
    return _masker(ipv4_prefix, ipv6_prefix, style, ()).mask_ip(address)


def mask_text(
    text: AnyStr,
    *,
    ipv4_prefix: int = 24,
    ipv6_prefix: int = 44,
    style: str = "x",
    keep: Iterable[str] = (),
) -> AnyStr:
    """Mask every address in ``text`` (``str`` or ``bytes``); returns the same type."""
    # A lone string is passed on as it is, so that Policy rejects it like Masker does.
    keep_key = keep if isinstance(keep, str) else tuple(keep)
    return _masker(ipv4_prefix, ipv6_prefix, style, keep_key).mask_text(text)
