"""Syslog lines (RFC 3164, RFC 5424, ISO 8601 stamps) and the mail daemons that write them.

Every address in a syslog message is masked by the `any` rules, which already know the
mail daemons' shapes (``host[addr]``, ``[addr]:port``, ``rip=``, ``helo=<[IPv6:...]>``,
``pam(user,addr,...)``). What these filters add:

- the header is parsed (rsyslog's and journald's stamps, and a program's own log file without
  a HOSTNAME field, as Dovecot writes one), so that the name of the machine that wrote the line
  (the HOSTNAME field, such as ``ip-172-31-20-5``) is not taken for a client's host name;
- host names that spell a client's address are masked (``ipmask.masking.hostnames``), on by default;
- ``postfix``: a HELO name and the names in Postfix's reverse-DNS warnings are paired with the
  client address of their line, so a name spelling that address in any notation is masked;
- ``dovecot``: the session ids (``session=<...>``), which encode the client's address in
  base64, are masked.

A line without a syslog header is unfit: it gets the same masking, and is counted.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ipmask.masking import Cache, Limits

if TYPE_CHECKING:
    from ipmask.masking import Policy

__all__ = ["HEADER", "PostfixPairs", "SessionIds"]

Pass = Callable[[bytes], bytes]

_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_CLOCK = r"[0-9]{2}:[0-9]{2}:[0-9]{2}(?:[.,][0-9]{1,9})?"
_STAMPS = (
    # RFC 3164 (rsyslog's traditional format; journalctl -o short, short-precise)
    rf"{_MONTH} [ 0-9][0-9] {_CLOCK}",
    # ISO 8601 / RFC 3339 (rsyslog's RSYSLOG_FileFormat, RFC 5424, journalctl -o short-iso),
    # and the same with a space (Dovecot's own log_timestamp, many daemons' files)
    rf"[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[T ]{_CLOCK}(?:Z|[+-][0-9]{{2}}:?[0-9]{{2}})?",
    # journalctl -o short-full: "Mon 2024-01-02 03:04:05 CET"
    rf"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) [0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}} {_CLOCK} [A-Z]{{1,5}}",
    # TAI64N, as daemontools' multilog writes it
    r"@[0-9a-f]{24}",
)
#: The start of a syslog line, after its line break: (priority, version and stamp)(HOSTNAME).
#: A line without a HOSTNAME field (a program's own log file: "Jan 29 09:33:58 pop3-login:
#: Info: ...") matches with an empty name, because what follows its stamp ends in ":".
HEADER = re.compile(
    (
        r"(\n(?:<[0-9]{1,3}>)?(?:1 )?(?:" + "|".join(_STAMPS) + r") )"
        r"((?:[^ \n]*[^ \n:](?= ))?)"
    ).encode("ascii")
)
# -- postfix ------------------------------------------------------------------------------

# A name Postfix pairs with the client address of its line: the HELO name, and the names in
# its reverse-DNS warnings. Only a name with a digit can spell an address. The address is the
# one the warning names, or else the first bracketed one of the line (the client in
# "from name[addr]", "client=name[addr]").
_POSTFIX_NAME = re.compile(
    rb"(?:helo=<|hostname )([A-Za-z0-9.\-_]*[0-9][A-Za-z0-9.\-_]*)"
    rb"(?=>| does not resolve| verification failed|\r?\n|\r?\Z)"
)
_ADDRESS = rb"((?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{0,4}:[0-9A-Fa-f:.]+)"
_RESOLVE_ADDR = re.compile(rb" does not resolve to address " + _ADDRESS)
_LINE_ADDR = re.compile(rb"(?:\[|warning: )" + _ADDRESS + rb"(?:\]|: )")


class PostfixPairs:
    """Masks HELO names and reverse-DNS warning names that spell their line's client address."""

    def __init__(self, pair: Pass) -> None:
        # pair(b"name[addr]") -> the same with the name's copies of addr masked
        self._pair = pair
        # (name, address) -> the name masked
        self._names: Cache[tuple[bytes, bytes], bytes] = Cache(self._mask, Limits.SIDE)

    def __call__(self, block: bytes) -> bytes:
        return _POSTFIX_NAME.sub(self._name, block)

    def _name(self, match: re.Match[bytes]) -> bytes:
        block = match.string
        start = block.rfind(b"\n", 0, match.start()) + 1
        end = block.find(b"\n", match.end())
        line = block[start : end if end >= 0 else len(block)]
        found = _RESOLVE_ADDR.match(block, match.end()) or _LINE_ADDR.search(line)
        if found is None:
            return match[0]
        masked = self._names[match[1], found[1]]
        return match[0][: match.start(1) - match.start()] + masked

    def _mask(self, key: tuple[bytes, bytes]) -> bytes:
        paired = self._pair(key[0] + b"[" + key[1] + b"]")
        return paired[: paired.rfind(b"[")]


# -- dovecot ------------------------------------------------------------------------------

# Dovecot's session id: base64 of 6 bytes of time, 2 of port, then the client's 4 (IPv4) or 16
# (IPv6) address bytes. It stands in "session=<...>", in the mail processes' log prefix
# "imap(user)<pid><id>: " and as the last of "passdb(user,ip,<id>)". The pattern starts with
# the literal "<" (so the engine skips quickly) and checks what stands before it.
_SESSION = re.compile(
    rb"(<(?:(?<=session=<)|(?<=><)|(?<=,<))(?:[A-Za-z0-9+/]{32}|[A-Za-z0-9+/]{16}))(?=>)"
)
_ADDRESS_AT = 8


class SessionIds:
    """Zeroes the hidden bits of the client address inside Dovecot's session ids."""

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        # "<id>" -> "<masked id>"
        self._cache: Cache[bytes, bytes] = Cache(
            lambda field: b"<" + self._mask(field[1:]), Limits.SESSIONS
        )

    def __call__(self, block: bytes) -> bytes:
        parts = _SESSION.split(block)
        if len(parts) == 1:
            return block
        parts[1::2] = map(self._cache.__getitem__, parts[1::2])
        return b"".join(parts)

    def _mask(self, sid: bytes) -> bytes:
        raw = binascii.a2b_base64(sid)
        width = (len(raw) - _ADDRESS_AT) * 8
        value = int.from_bytes(raw[_ADDRESS_AT:], "big")
        policy = self._policy
        if width == 32:
            hidden, kept = 32 - policy.ipv4_prefix, policy.keeps(4, value)
        elif value >> 32 == 0xFFFF:
            # An IPv4-mapped address is masked as the IPv4 address it is, as in text.
            v4 = value & 0xFFFFFFFF
            hidden, kept = 32 - policy.ipv4_prefix, policy.keeps(4, v4) or policy.keeps(6, value)
        else:
            hidden, kept = 128 - policy.ipv6_prefix, policy.keeps(6, value)
        if kept:
            return sid
        value &= ~((1 << hidden) - 1)
        raw = raw[:_ADDRESS_AT] + value.to_bytes(width // 8, "big")
        return binascii.b2a_base64(raw, newline=False)
