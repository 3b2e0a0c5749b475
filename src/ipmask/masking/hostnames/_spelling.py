"""How a name spells an address, and how to rewrite that spelling the way the address is masked.

An IPv4 copy is four numbers in a row in one of the orders names use (``72-53-132-234``,
``234.132.53.72``, ``161.pool85-60-238``), or twelve zero-padded digits (``072053132234``).
An IPv6 copy writes the groups of the address joined by ``-`` (``2001-db8--1``). A rewritten
number keeps the name's notation: zero-padded numbers keep their width, and a group keeps its
own length where masking leaves it.
"""

from __future__ import annotations

import re

from ipmask.masking._parse import parse_ipv6
from ipmask.masking.hostnames._plans import IPV6, V4Plan, V6Plan

__all__ = [
    "Edit",
    "Run",
    "apply_edits",
    "find_v4",
    "find_v6",
    "octet_runs",
    "padded",
    "render_run",
    "render_v6",
    "union",
]

#: An edit of a block or a name: (start, end, new text).
Edit = tuple[int, int, bytes]
#: A number in a name: (start, end, value, cut from twelve digits); value -1 if no octet.
Run = tuple[int, int, int, bool]

_DIGITS = re.compile(rb"[0-9]+")
_LABEL = re.compile(rb"[^.]+")
_ZERO = ord("0")


def apply_edits(text: bytes, edits: list[Edit]) -> bytes:
    """``text`` with the (sorted, non-overlapping) edits made."""
    out: list[bytes] = []
    last = 0
    for start, end, new in edits:
        out += (text[last:start], new)
        last = end
    out.append(text[last:])
    return b"".join(out)


def octet_runs(name: bytes) -> list[Run]:
    """The numbers in ``name``; twelve digits count as four zero-padded octets."""
    runs: list[Run] = []
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


def padded(name: bytes, runs: list[Run]) -> bool:
    """Whether four numbers are written zero-padded: one has a leading zero, or they were cut
    from twelve digits."""
    return any(fixed or (end - start > 1 and name[start] == _ZERO) for start, end, _, fixed in runs)


def render_run(new: bytes, old: bytes, is_padded: bool) -> bytes:
    """A masked octet written where the number ``old`` was; in a zero-padded spelling
    (``072-053-132-234``, ``072053132234``) it keeps the number's width."""
    return new.zfill(len(old)) if is_padded and new.isdigit() else new


def find_v4(name: bytes, plan: V4Plan) -> list[Edit] | None:
    """Edits hiding every copy of the address in ``name``; None if the name holds none.

    A copy is four numbers in a row (only other characters between them) that are the octets
    in one of the orders names use.
    """
    runs = octet_runs(name)
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
        is_padded = padded(name, window)
        for (start, end, _, _), octet in zip(window, order, strict=True):
            new = plan.masked[octet]
            if new is not None:
                edits.append((start, end, render_run(new, name[start:end], is_padded)))
        i += 4
    return edits if found else None


def render_v6(spelled: bytes, plan: V6Plan) -> bytes:
    """The masked address written like ``spelled`` (its "-"-joined groups) was."""
    groups = spelled.split(b"-")
    if b"" in groups:
        # A compressed spelling takes the masked text as the masker writes it.
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


def find_v6(name: bytes, plan: V6Plan) -> list[Edit] | None:
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
                if IPV6.fullmatch(text) and parse_ipv6(text) == plan.value:
                    found = True
                    start, end = starts[i], starts[j] - 1
                    if plan.hides:
                        edits.append((start, end, render_v6(name[start:end], plan)))
                    i = j
                    break
            else:
                i += 1
    return edits if found else None


def union(old: bytes | None, new: bytes | None, value: int) -> bytes | None:
    """Combine two readings' changes to one octet (same style): the more hidden one wins."""
    if old is None or new is None:
        return old or new
    if not old.isdigit():  # style x: "XXX" either way
        return old
    combined = int(old) & int(new)  # zero style: each reading cleared the bits it hides
    return None if combined == value else b"%d" % combined
