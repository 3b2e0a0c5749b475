"""ipmask.masking.hostnames._plans: what masking does to an address, from the masker itself."""

from __future__ import annotations

import pytest

from helpers import ZERO, X
from ipmask.masking import Limits, Masker
from ipmask.masking.hostnames._plans import FORWARD, Plans, V4Plan
from masking.hostnames.helpers import v6_plan


def test_ipv4_plan_says_what_each_octet_becomes() -> None:
    """Kept octets are None; a hidden one is written as the style writes it."""
    assert Plans(X)(b"78.46.198.140") == Plans(X).v4((78, 46, 198, 140))
    assert Plans(X)(b"78.46.198.140").masked == (None, None, None, b"XXX")  # type: ignore[union-attr]
    assert Plans(ZERO)(b"78.46.198.140").masked == (None, None, None, b"0")  # type: ignore[union-attr]


def test_mapped_address_gets_the_plan_of_its_ipv4_address() -> None:
    """::ffff:a.b.c.d is masked as the IPv4 address it is, in names too."""
    plan = Plans(X)(b"::ffff:78.46.198.140")
    assert isinstance(plan, V4Plan)
    assert plan.octets == (78, 46, 198, 140)


def test_ipv6_plan_has_the_masked_nibbles() -> None:
    """An IPv6 plan holds the 32 nibbles as masking writes them."""
    plan = v6_plan(b"2a01:4f8:1c17:413b::1")
    assert plan.nibbles == b"2a0104f81c1X" + b"X" * 20
    assert plan.hides


def test_kept_ipv6_address_hides_nothing() -> None:
    """An address in a keep network has a plan that hides nothing."""
    plan = v6_plan(b"2001:db8::1", Masker(keep=["2001:db8::/32"]))
    assert not plan.hides


def test_text_that_is_no_address_has_no_plan() -> None:
    """What only looks like an address gets no plan."""
    assert Plans(X)(b"1.2.3.999") is None
    assert Plans(X)(b"12:34:56") is None


def test_repeated_octets_read_forwards_first() -> None:
    """When two orders give the same numbers, the forward reading is the one kept."""
    assert Plans(X).v4((7, 7, 7, 7)).orders == {(7, 7, 7, 7): FORWARD}


@pytest.fixture
def small_plans(monkeypatch: pytest.MonkeyPatch) -> Plans:
    """Plans whose cache turns over every four addresses."""
    monkeypatch.setattr(Limits, "NAMES", 4)
    return Plans(X)


def _others(plans: Plans, count: int = 18) -> None:
    """Ask ``plans`` for ``count`` other addresses."""
    for last in range(2, 2 + count):
        plans(b"192.0.2.%d" % last)


def test_plans_are_worked_out_once_while_they_recur(small_plans: Plans) -> None:
    """A plan asked for again and again is the same object, whatever is asked in between."""
    first = small_plans(b"192.0.2.1")
    for _ in range(6):
        _others(small_plans, 3)
        assert small_plans(b"192.0.2.1") is first


def test_plans_not_asked_for_are_forgotten(small_plans: Plans) -> None:
    """The plans are bounded: one not asked for over two turnovers is worked out again."""
    first = small_plans(b"192.0.2.1")
    _others(small_plans)
    again = small_plans(b"192.0.2.1")
    assert again is not first
    assert again == first
