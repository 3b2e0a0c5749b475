"""ipmask.masking.hostnames._spelling: an address's copies in a name, and how they are rewritten."""

from __future__ import annotations

from ipmask.masking import Masker
from ipmask.masking.hostnames import apply_edits
from ipmask.masking.hostnames._spelling import find_v4, find_v6, octet_runs, render_run
from masking.hostnames.helpers import v4_plan, v6_plan


def test_twelve_digits_are_four_padded_octets() -> None:
    """Twelve digits in a row are read as four zero-padded octets."""
    assert octet_runs(b"dsl072053132234") == [
        (3, 6, 72, True),
        (6, 9, 53, True),
        (9, 12, 132, True),
        (12, 15, 234, True),
    ]


def test_numbers_of_other_widths_are_no_octets() -> None:
    """A number of four to eleven digits, or of thirteen, holds no octet."""
    assert octet_runs(b"a1234-5.0720531322340") == [
        (1, 5, -1, False),
        (6, 7, 5, False),
        (8, 21, -1, False),
    ]


def test_rotated_copy_is_found() -> None:
    """A name may move the last octet to the front ("7.pool88-12-240")."""
    name = b"7.pool88-12-240.example"
    assert find_v4(name, v4_plan(b"88.12.240.7")) == [(0, 1, b"XXX")]


def test_name_without_the_address_has_no_copy() -> None:
    """Four numbers that are not the address's octets are no copy."""
    assert find_v4(b"1-2-3-4.example", v4_plan(b"1.2.3.5")) is None


def test_padded_numbers_keep_their_width() -> None:
    """A masked octet written where a zero-padded number stood keeps its width."""
    assert render_run(b"0", b"234", True) == b"000"
    assert render_run(b"XXX", b"234", True) == b"XXX"
    assert render_run(b"0", b"234", False) == b"0"


def test_ipv6_groups_keep_their_own_form() -> None:
    """A kept group stays as written; a changed one is four digits where the name wrote four."""
    masker = Masker(ipv6_prefix=20, style="zero")
    name = b"2a01-4f8-1c17-413b-0-0-0-1"
    edits = find_v6(name, v6_plan(b"2a01:4f8:1c17:413b::1", masker))
    assert edits == [(0, len(name), b"2a01-0-0000-0000-0-0-0-0")]


def test_ipv6_copy_of_a_kept_address_is_found_but_left() -> None:
    """A kept address's copy counts as found, with nothing to change."""
    plan = v6_plan(b"2001:db8::1", Masker(keep=["2001:db8::/32"]))
    assert find_v6(b"2001-db8--1.example", plan) == []


def test_edits_are_made_in_order() -> None:
    """apply_edits replaces each span and keeps the text between them."""
    assert apply_edits(b"abcdef", [(1, 2, b"XY"), (4, 6, b"")]) == b"aXYcd"
