"""The regular expressions that find addresses, each fragment beside the rule it encodes.

Speed shapes this module. Python's ``re`` only skips quickly through text when a pattern
starts with a literal, so the scanning pattern starts at an address's *first separator* (the
first ``.`` of an IPv4 address, the first ``:`` of an IPv6 address) and checks what stands in
front of it with fixed-width lookbehinds. Those lookbehinds capture the address's leading
group, so a match reports ``(body, lead...)`` and the full address is ``lead + body``.

The scanning patterns are tried at every "." and every ":" of the input, so their cost where no
address can start decides the worst case: text made only of separators ("::::", "1:1:1:",
"1.1.1.1.1"). In CPython's engine each assertion (lookahead or lookbehind) costs about as much
as finding the next separator and starting a match there; an alternation costs more unless the
first character of a branch rules it out, and a lookbehind nested in another costs two. So the
patterns first run a few flat lookbehinds that turn down the common hopeless cases, and only
then the exact checks.

Every fragment is a ``str``; the masker and the scanner compile the bytes patterns from them.
"""

from __future__ import annotations

# RFC 3986 dec-octet, widened as the contract asks: one to three digits, value 0-255, leading
# zeros allowed and read as decimal ("192.030.0.6" is 192.30.0.6).
OCTET = r"(?:25[0-5]|2[0-4][0-9]|[01]?[0-9]?[0-9])"
# The same, at an exact width; used in lookbehinds, which must have a fixed width.
OCTET_WIDTH = {1: r"[0-9]", 2: r"[0-9][0-9]", 3: r"(?:25[0-5]|2[0-4][0-9]|[01][0-9][0-9])"}
# The same strings as OCTET, ordered so that a one- or two-digit octet (most of them) matches
# without backtracking through "[01]?[0-9]?". It can stand for OCTET only where the octet is
# followed by something that is not a digit ("." or a right boundary), because then only the
# whole run of digits can match and the order of the alternatives cannot change the result.
SCAN_OCTET = r"(?:25[0-5]|2[0-4][0-9]|[01][0-9][0-9]|[0-9][0-9]?)"

# RFC 3986 dec-octet exactly: no leading zeros. An address written this way (nearly every one in
# a log) can be masked as text, without reading its value.
CANONICAL_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"

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

# Left boundary: an address is not glued to a letter, digit, "_" or "." on its left
# (``(?<![\w.])``); an IPv6 address must also be a maximal run, so no ":" either
# (``(?<![\w.:])``). The scanning patterns fold these rules into the lookbehinds that look at
# the lead (see below), which is cheaper than nesting them inside.
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
# "letter/" whose last two octets are ".0.0". This is the second half, tested after the lead:
# the rest of the address does not end in ".0.0".
_NOT_PRODUCT_TAIL = r"(?![0-9]{1,3}\.0+\.0+(?!\w|\.[0-9]))"


def _v4_leads() -> str:
    """Lookbehinds after the first "." that capture the first octet (one group per width).

    For width w: the w characters before the "." form an octet (captured); the character before
    them is not a letter, digit, "_" or "." (the left boundary, written as one flat lookbehind over
    the same digits instead of a lookbehind nested in the capturing one, which is cheaper); and
    the product rule, "not after letter/, or not ending in .0.0". At most one width can pass
    (its boundary character is a digit for every shorter width and lies inside the octet for
    every longer one), so the product rule only needs the lead's own width.
    """
    alts = []
    for w in (3, 2, 1):
        digits = rf"[0-9]{{{w}}}"
        alts.append(
            rf"(?<=({OCTET_WIDTH[w]})\.)(?<![\w.]{digits}\.)"
            rf"(?:(?<![A-Za-z]/{digits}\.)|{_NOT_PRODUCT_TAIL})"
        )
    return "(?:" + "|".join(alts) + ")"


# After "lead.": the other three octets. The lookahead is a cheap first test ("0.45", "example.net"
# fail at once) so that the lookbehinds only run where an address is possible. Then one flat
# lookbehind turns down a one-digit lead glued to a letter, "_" or "." ("v2.3.19", and every
# "." of "1.1.1.1.1..."), where all three leads would fail, before they run; it comes after the
# lookahead because ordinary text has many "." that the lookahead rejects on its first character.
V4_REST = (
    rf"(?=[0-9]{{1,3}}\.[0-9]{{1,3}}\.[0-9])(?<![A-Za-z_.][0-9]\.){_v4_leads()}"
    rf"{SCAN_OCTET}\.{SCAN_OCTET}\.{SCAN_OCTET}{END_V4}"
)


def _v6_lead_boundary() -> str:
    """Lookbehinds after the first ":": the hex run before it has a valid left boundary.

    The lead is the run of hex digits right before the ":". For each width w, one flat
    lookbehind turns the run down if it is w digits long and the character before it is a
    letter, "_", "." or ":" (the IPv6 left boundary; a digit or hex letter would lengthen the run),
    unless that ":" ends the tag (AFTER_TAG, checked by the lookbehind nested after that
    character, so it only runs when the character is one of those). The start of the data is
    a boundary: there the lookbehinds find too few characters and let the run through. This is
    the whole boundary test: "1:1:1:", "ffff:ffff:", "g1:1::", "6:1:" are turned down here in
    one or two steps, before the guard and before the leads' alternation, which costs more
    even when it fails.
    """
    return "".join(rf"(?<![G-Zg-z_.:](?<![Ii][Pp][Vv]6:){HEXDIG}{{{w}}}:)" for w in (1, 2, 3, 4))


def _v6_leads() -> str:
    """Lookbehinds after the first ":" that capture the first group (one group per width).

    Width w is taken when the run of hex digits before the ":" is exactly w long; that its
    left boundary is valid has been checked by ``_v6_lead_boundary`` before, and runs longer
    than a group are turned down before the leads, so the leads only measure the run.
    """
    alts = [rf"(?<=({HEXDIG}{{{w}}}):)(?<!{HEXDIG}{{{w + 1}}}:)" for w in (4, 3, 2, 1)]
    return "(?:" + "|".join(alts) + ")"


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


def _v6_after_lead(done: int = 0) -> str:
    """After "lead:" and ``done`` more "h16:": the rest of an IPv6 address.

    RFC 4291 section 2.2 forms, by where "::" stands: nowhere (eight groups, the last two
    possibly a dotted IPv4), or after the i-th explicit group (i = 1..7), followed by at most
    7 - i groups. "::" stands for at least one group of zeros.

    The forms share their leading "h16:" groups, so they are written as a tree: after ``done``
    groups either ":" follows ("::" here, since the text so far ends in ":") or one more
    "h16:". The text decides which branch can match (":" or a hex digit next; after five groups
    also "." or ":" after the next group), so the tree matches exactly what the forms listed one
    by one would, in the same order; but a time such as "2025:00:00:00" is read once instead of
    once per form.
    """
    double_colon = rf":{_tail(6 - done)}"
    if done == 5:
        # Eight groups (ls32 ends them), or "::" after the seventh: "h16::".
        return rf"(?:{double_colon}|{LS32}|{H16}::)"
    return rf"(?:{double_colon}|{H16}:{_v6_after_lead(done + 1)})"


# After the first ":", "::" at the very start of the address ("::1", "::ffff:1.2.3.4"; "::"
# alone is no address, so something must follow). The second ":" is matched first (a literal:
# the alternation skips this branch on any other character) and the boundary is checked behind
# both colons: not glued (the IPv6 boundary before "::", also true at the start of the data), or
# right after the tag (AFTER_TAG before "::").
V6_FROM_DOUBLE_COLON = (
    r":(?:(?<![\w.:]::)|(?<=[Ii][Pp][Vv]6:::))"
    rf"(?:(?:{H16}:){{0,5}}{IPV4}|(?:{H16}:){{0,6}}{H16})"
)

# IPv6address (RFC 4291 section 2.2) as a whole, for settings such as keep networks; here "::"
# alone is allowed, because in a setting it can only mean the unspecified address.
IPV6 = (
    rf"(?:{H16}:{_v6_after_lead()}"
    rf"|::(?:(?:{H16}:){{0,5}}{IPV4}|(?:{H16}:){{0,6}}{H16})?)"
)

# A cheap necessary condition tested before the leads, right after "lead:": a valid address goes
# on with "::", "h16::" or "h16:h16:". Times ("10:15:32") and labels fail it within a few
# characters, before the lookbehinds that capture the lead run.
V6_GUARD = rf"(?=:|{H16}:{HEXDIG}{{0,4}}:)"

# Turned down at once, before anything else: a ":" right after a ":" that is not the tag's
# ("::::", the second ":" of "::1"). No address starts there: a lead must be hex, and "::" needs
# a boundary or the tag before it, and the tag's ":" follows a "6".
_NOT_AFTER_COLON = r"(?<![^6]::)"

# The commonest hopeless lead in a run of separators, one hex digit glued to a ":" that is
# not the tag's ("1:1:1:..."), turned down in one plain lookbehind instead of the nested one
# in ``_v6_lead_boundary`` (which would also turn it down). A ":" after "6" goes on to that
# exact test.
_ONE_DIGIT_AFTER_COLON = rf"(?<![^6]:{HEXDIG}:)"

# After the first ":": "::" at the start of the address, or the rest of an address whose first
# group is the lead, which must be a hex digit right before the ":" (one cheap lookbehind
# that turns down "word:", "]:", "): " before anything else). The boundary test comes before
# the guard, so that runs of separators fail without it; a lead longer than a group
# ("fffff:1::") is turned down right after the guard, before the leads.
V6_REST = (
    rf"{_NOT_AFTER_COLON}(?:{V6_FROM_DOUBLE_COLON}"
    rf"|(?<={HEXDIG}:){_ONE_DIGIT_AFTER_COLON}{_v6_lead_boundary()}"
    rf"{V6_GUARD}(?<!{HEXDIG}{{5}}:)"
    rf"{_v6_leads()}{_v6_after_lead()})"
    rf"{END_V6}"
)

# The scanning patterns, one per family, because ``re`` searches fast only for a single
# literal first character. Group 1 is the body (from the first separator to the end of the
# address); the other groups capture the lead, one per width (IPv4: 3, 2, 1; IPv6: 4, 3, 2, 1).
# For "::1" no lead group takes part. IPv6 is scanned first, so that the IPv4 pass cannot
# split the dotted tail off an IPv6 address.
SCAN_V4 = rf"(\.{V4_REST})"
SCAN_V6 = rf"(:{V6_REST})"

# A zone id (RFC 4007 section 11): "%" and an interface name or number.
ZONE = r"%[0-9A-Za-z_.\-]+"
