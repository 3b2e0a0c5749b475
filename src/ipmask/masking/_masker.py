"""The masker: finds every address in bytes or text and replaces it by its masked form.

The hot path is :meth:`Masker.mask_bytes`: one scanning pass per family, IPv6 first
(:mod:`ipmask.masking._scan`). Everything that depends only on the settings (renderers, the
quick text rule for canonical IPv4 addresses, the passes and their caches) is made once, in
``__init__``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, AnyStr

from ipmask.errors import AddressError
from ipmask.masking import _grammar as grammar
from ipmask.masking._cache import Cache, Limits
from ipmask.masking._parse import MAPPED_PREFIX, parse_ipv4, parse_ipv6
from ipmask.masking._render import RENDERERS, ipv4_text_rule
from ipmask.masking._scan import Pass
from ipmask.masking._settings import Options, Settings

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["Masker", "mask_ip", "mask_text"]

_SINGLE = re.compile(
    rf"(?P<addr>{grammar.IPV4}|{grammar.IPV6})(?P<zone>{grammar.ZONE})?".encode("ascii")
)
_FIELD = re.compile(
    (
        rf"(?P<open>\[(?:[Ii][Pp][Vv]6:)?)?(?P<addr>{grammar.IPV4}|{grammar.IPV6})"
        rf"(?P<zone>{grammar.ZONE})?(?(open)\])(?P<port>[:.][0-9]{{1,5}})?"
    ).encode("ascii")
)


def _canonical_v4(lead: bytes, kept: int) -> re.Pattern[bytes]:
    """``lead`` and a canonical dotted quad; group 1 is the lead and the kept octets."""
    octet = grammar.CANONICAL_OCTET.encode("ascii")
    if kept == 4:
        head, rest = rb"(?:%s\.){3}%s" % (octet, octet), b""
    else:
        head = rb"(?:%s\.){%d}" % (octet, kept)
        rest = rb"%s(?:\.%s){%d}" % (octet, octet, 3 - kept)
    return re.compile(b"(" + re.escape(lead) + head + b")" + rest)


class Masker:
    """Settings with their caches: set up once, then call it many times.

    Takes a :class:`Settings`, or its fields as keywords (``Masker(ipv4_prefix=16)``), or
    both (the keywords change the settings given). Only the masking part of the settings
    matters here; the formats read the rest.

    >>> Masker().mask_ip("78.46.198.140")
    '78.46.198.XXX'
    """

    __slots__ = (
        "_hidden4",
        "_quick4",
        "_render4",
        "_render6",
        "_rule4",
        "_v4",
        "_v6",
        "policy",
        "settings",
    )

    def __init__(self, settings: Settings | None = None, /, **options: Unpack[Options]) -> None:
        if not isinstance(settings, (Settings, type(None))):
            raise TypeError(
                f"give a Settings or keywords (Masker(ipv4_prefix=24)), not {settings!r}"
            )
        if settings is None:
            settings = Settings(**options)
        elif options:
            settings = settings.replace(**options)
        self.settings = settings
        self.policy = settings.policy
        make4, make6 = RENDERERS[self.policy.style]
        self._render4 = make4(self.policy.ipv4_prefix)
        self._render6 = make6(self.policy.ipv6_prefix)
        self._v6 = Pass(grammar.SCAN_V6, 6, self._mask_address)
        self._v4 = Pass(grammar.SCAN_V4, 4, self._mask_address)
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
        :class:`ipmask.masking.Cache` of its own.
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


#: Settings -> the masker for them, for the functions below.
_MASKERS: Cache[Settings, Masker] = Cache(Masker, Limits.MASKERS)


def mask_ip(address: str, **options: Unpack[Options]) -> str:
    """Mask one address: ``mask_ip("78.46.198.140") == "78.46.198.XXX"``.

    ``options`` are :class:`Settings` fields (``ipv4_prefix=16``, ``style="zero"``...).
    """
    return _MASKERS[Settings(**options)].mask_ip(address)


def mask_text(text: AnyStr, **options: Unpack[Options]) -> AnyStr:
    """Mask every address in ``text`` (``str`` or ``bytes``); returns the same type.

    ``options`` are :class:`Settings` fields, as for :func:`mask_ip`.
    """
    return _MASKERS[Settings(**options)].mask_text(text)
