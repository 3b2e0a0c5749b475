"""The regular expressions that find addresses, each fragment beside the rule it encodes.

Speed shapes this module. Python's ``re`` only skips quickly through text when a pattern
starts with a literal, so the scanning pattern starts at an address's *first separator* (the
first ``.`` of an IPv4 address, the first ``:`` of an IPv6 address) and checks what stands in
front of it with fixed-width lookbehinds. Those lookbehinds capture the address's leading
group, so a match reports ``(body, lead...)`` and the full address is ``lead + body``.

Every fragment is a ``str``; ``core`` compiles the bytes patterns from them.
"""

from __future__ import annotations

# RFC 3986 dec-octet, widened as the contract asks: one to three digits, value 0-255, leading
# zeros allowed and read as decimal ("192.030.0.6" is 192.30.0.6).
OCTET = r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])"
# The same, at an exact width; used in lookbehinds, which must have a fixed width.
OCTET_WIDTH = {1: r"[0-9]", 2: r"[0-9][0-9]", 3: r"(?:25[0-5]|2[0-4][0-9]|[01][0-9][0-9])"}

# RFC 4291 section 2.2: h16 = 1*4HEXDIG.
H16 = r"[0-9A-Fa-f]{1,4}"
HEXDIG = r"[0-9A-Fa-f]"

# IPv4address = dec-octet "." dec-octet "." dec-octet "." dec-octet (RFC 3986 section 3.2.2).
IPV4 = rf"{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}"

# A port in the dotted notation some daemons use ("203.0.113.8.40123"): 256 to 65535, so that it
# cannot be read as a fifth octet.
DOTTED_PORT = (
    r"(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}"
    r"|[1-9][0-9]{3}|[3-9][0-9]{2}|2[6-9][0-9]|25[6-9])"
)

# Left boundary: an address is not glued to a letter, digit, "_" or "." on its left. An IPv6
# address must also be a maximal run, so no ":" either.
NOT_GLUED_V4 = r"(?<![\w.])"
NOT_GLUED_V6 = r"(?<![\w.:])"
# RFC 5321 section 4.1.3: IPv6-address-literal = "IPv6:" IPv6-addr. The tag is not part of the
# address, so it may stand where a boundary would otherwise be needed.
AFTER_TAG = r"(?<=[Ii][Pp][Vv]6:)"

# Right boundary of an IPv4 address: not followed by a letter, digit, "_" or ".digit" (so
# "1.2.3.4.5" is no address), unless what follows is a dotted port.
END_V4 = rf"(?:(?!\w|\.[0-9])|(?=\.{DOTTED_PORT}(?!\w|\.[0-9])))"
# Right boundary of an IPv6 address: the run is maximal, so no further hex digit, letter or
# ".digit"; a ":" may only follow when it introduces a port that cannot be a group (five
# digits: "2001:db8::1234:58430").
END_V6 = r"(?!\w|\.[0-9])(?!:(?![0-9]{5}(?![\w:]|\.[0-9])))"

# A product version is not an address: "Chrome/120.0.0.0". The rule: an IPv4 right after
# "letter/" whose last two octets are ".0.0". Written as "either not after letter/lead, or not
# ending in .0.0", with one lookbehind per lead width.
_AFTER_PRODUCT = "".join(rf"(?<![A-Za-z]/[0-9]{{{w}}}\.)" for w in (1, 2, 3))
NOT_PRODUCT = rf"(?:{_AFTER_PRODUCT}|(?![0-9]{{1,3}}\.0+\.0+(?!\w|\.[0-9])))"


def _v4_leads() -> str:
    """Lookbehinds after the first "." that capture the first octet (one group per width)."""
    alts = (rf"(?<={NOT_GLUED_V4}({OCTET_WIDTH[w]})\.)" for w in (3, 2, 1))
    return "(?:" + "|".join(alts) + ")"


def _v6_leads() -> str:
    """Lookbehinds after the first ":" that capture the first group (one group per width)."""
    alts = [rf"(?<=(?:{NOT_GLUED_V6}|{AFTER_TAG})({HEXDIG}{{{w}}}):)" for w in (4, 3, 2, 1)]
    return "(?:" + "|".join(alts) + ")"


# After "lead.": the other three octets. The lookahead is a cheap first test ("0.45", "example.net"
# fail at once) so that the lookbehinds only run where an address is possible.
V4_REST = (
    rf"(?=[0-9]{{1,3}}\.[0-9]{{1,3}}\.[0-9]){_v4_leads()}{NOT_PRODUCT}"
    rf"{OCTET}\.{OCTET}\.{OCTET}{END_V4}"
)

# ls32 = ( h16 ":" h16 ) / IPv4address (RFC 4291 section 2.2, form 3).
LS32 = rf"(?:{IPV4}|{H16}:{H16})"


def _tail(groups: int) -> str:
    """What may follow "::" when at most ``groups`` 16-bit groups are left to fill."""
    if groups <= 0:
        return ""
    alts = [rf"(?:{H16}:){{0,{groups - 1}}}{H16}"]
    if groups >= 2:
        alts.insert(0, rf"(?:{H16}:){{0,{groups - 2}}}{IPV4}")
    return "(?:" + "|".join(alts) + ")?"


def _v6_after_lead() -> str:
    """After "lead:": the rest of an IPv6 address whose first group is the lead.

    RFC 4291 section 2.2 forms, by where "::" stands: nowhere (eight groups, the last two
    possibly a dotted IPv4), or after the i-th explicit group (i = 1..7), followed by at most
    7 - i groups. "::" stands for at least one group of zeros.
    """
    alts = [rf"(?:{H16}:){{5}}{LS32}"]
    for i in range(1, 8):
        before = rf"(?:{H16}:){{{i - 1}}}" if i > 1 else ""
        # The lead and ``before`` end in ":", so "::" is written as one more ":".
        alts.append(rf"{before}:{_tail(7 - i)}" if i > 1 else rf":{_tail(7 - i)}")
    return "(?:" + "|".join(alts) + ")"


# After the first ":": either "::" at the very start of the address ("::1", "::ffff:1.2.3.4";
# "::" alone is no address, so something must follow), or the rest of an address whose first
# group is the lead.
V6_FROM_DOUBLE_COLON = (
    rf"(?:(?<={NOT_GLUED_V6}:)|(?<={AFTER_TAG}:)):"
    rf"(?:(?:{H16}:){{0,5}}{IPV4}|(?:{H16}:){{0,6}}{H16})"
)

# IPv6address (RFC 4291 section 2.2) as a whole, for settings such as keep networks; here "::"
# alone is allowed, because in a setting it can only mean the unspecified address.
IPV6 = (
    rf"(?:{H16}:{_v6_after_lead()}"
    rf"|::(?:(?:{H16}:){{0,5}}{IPV4}|(?:{H16}:){{0,6}}{H16})?)"
)

# A cheap necessary condition tested first, right after "lead:": a valid address goes on with
# "::", "h16::" or "h16:h16:". Times ("10:15:32") and labels ("Login: ") fail it within a few
# characters, before any lookbehind runs.
V6_GUARD = rf"(?=:|{H16}:{HEXDIG}{{0,4}}:)"

V6_REST = rf"(?:{V6_GUARD}{_v6_leads()}{_v6_after_lead()}|{V6_FROM_DOUBLE_COLON}){END_V6}"

# The scanning patterns, one per family, because ``re`` searches fast only for a single
# literal first character. Group 1 is the body (from the first separator to the end of the
# address); the other groups capture the lead, one per width (IPv4: 3, 2, 1; IPv6: 4, 3, 2, 1).
# For "::1" no lead group takes part. IPv6 is scanned first, so that the IPv4 pass cannot
# split the dotted tail off an IPv6 address.
SCAN_V4 = rf"(\.{V4_REST})"
SCAN_V6 = rf"(:{V6_REST})"

# A zone id (RFC 4007 section 11): "%" and an interface name or number.
ZONE = r"%[0-9A-Za-z_.\-]+"
