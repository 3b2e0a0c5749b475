"""Host names standing next to their address: ``name[addr]``, ``name (addr)``, ``addr (name)``.

Speed: this pass runs on every block of every format, so it must cost little where names
spell nothing, which is nearly always (``unknown``, ``mx.example.net``, ``mail-1234.example``).
``re`` only skips through text at C speed when a pattern starts with a literal, so each pattern
starts at one: the "]" or ")" that closes a pair, which comes first once the block is reversed
(the name then follows its address). The name pattern itself rejects, inside ``re``, every name
that cannot spell an address, so Python only runs for the few that can.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["pairs"]

_NOT_DIGIT = rb"[A-Za-z_.\-]"  # a name character other than a digit
_NOT_DASH = rb"[A-Za-z0-9_.]"  # a name character other than "-"
_TWELVE = rb"[0-9]{12}(?![0-9])"


def _name(tag: str) -> bytes:
    """A host name that may spell an address; the pattern reads names forwards and backwards.

    RFC 1035 limits a name to 253 characters; longer runs are not host names. "_" is not
    allowed by RFC 952 either, but Windows machines put it in their names anyway. ``tag`` keeps
    the helper groups of several names in one pattern apart (their names start with "_").
    """
    count = 0

    def atomic(body: bytes) -> bytes:
        # What ``body`` matches is never given back (a lookahead is atomic, and the reference
        # consumes exactly its text), so a name that fails does so without backtracking.
        nonlocal count
        count += 1
        group = b"_%s_%d" % (tag.encode("ascii"), count)
        return b"(?=(?P<" + group + b">" + body + b"))(?P=" + group + b")"

    def then(rest: bytes) -> bytes:
        # At a number: twelve digits, or else the number, what follows it, then ``rest``.
        number = atomic(b"[0-9]+") + atomic(_NOT_DIGIT + b"+")
        return b"(?:" + _TWELVE + b"|" + number + rest + b")"

    # Most names fail this first test at once: no digit ("unknown", "mx.example.net").
    digit = b"(?=" + atomic(_NOT_DIGIT + b"{0,252}") + b"[0-9])"
    # Then the shape (too few numbers: "mail-1234.example.net"). The spelling module finds an
    # IPv4 copy only in four numbers or in twelve digits, so the numbers are walked until the
    # fourth begins or twelve digits turn up.
    ipv4 = atomic(_NOT_DIGIT + b"*") + then(then(then(b"[0-9]")))
    # An IPv6 copy written with "-" has "--" for "::", or else eight groups; either way two
    # "-" at least, which is the quick test.
    dash = _NOT_DASH + b"*-"
    ipv6 = b"(?=%s%s)(?:(?:%s){7}|%s(?:%s+-)*-)" % (dash, dash, dash, dash, _NOT_DASH)
    whole = _NOT_DIGIT + rb"{0,252}[0-9][A-Za-z0-9_.\-]{0,252}(?![A-Za-z0-9_.:\-])"
    return digit + b"(?=" + ipv4 + b"|" + ipv6 + b")" + whole


_ADDR = rb"[0-9A-Fa-f.:]{6,50}"  # checked against the grammar later; "2000::" is the shortest
_HELO = rb"[^()\s]{1,255}"

#: Pairs, in the reversed block: group names n* are names, a* their address (both reversed).
_REVERSED_PAIRS = (
    re.compile(
        # A literal right after the address lets ``re`` skip back quickly when it fails, so the
        # RFC 5321 tag ("[IPv6:addr]", only ever seen in HELO names) is not provided for.
        rb"\](?P<a1>" + _ADDR + rb")\[(?:"
        # Postfix and ProFTPD "name[addr]"; sendmail, Exim, UW IMAP and ProFTPD "name [addr]".
        rb" ?(?P<n1>" + _name("n1") + rb")"
        # Exim's "name (helo) [addr]" and "(helo) [addr]": the HELO name is the client's claim,
        # and often a copy of its address.
        rb"| \)(?P<n2>" + _HELO + rb")\((?: (?P<n3>" + _name("n3") + rb"))?)"
    ),
    re.compile(
        # Most ")" close other things ("(queue active)", "imap(user)"); the text up to a
        # " (" before them is the quick test.
        rb"\)(?=[A-Za-z0-9_.:\-]{1,505}\( )(?:"
        # "name (addr)"
        rb"(?P<a2>" + _ADDR + rb")\( (?P<n4>" + _name("n4") + rb")"
        # "addr (name)"
        rb"|(?P<n5>" + _name("n5") + rb")\( (?P<a3>" + _ADDR + rb")(?![A-Za-z0-9_.:\-]))"
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
_MAPS = re.compile(rb" maps to (?P<n>" + _name("n") + rb")")  # sshd: "Address addr maps to name"
_BACK_NAME = re.compile(_name("n"))
_BACK_ADDR = re.compile(_ADDR + rb"(?![A-Za-z0-9_.:\-])")


def pairs(block: bytes, rblock: bytes) -> Iterator[tuple[bytes, int, int, bytes]]:
    """(address, start, end, name) for each name next to an address in ``block`` that may
    spell it; ``rblock`` is ``block`` reversed."""
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
