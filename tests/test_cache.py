"""The two-generation cache behind every column and match cache."""

from __future__ import annotations

from ipmask.cache import Cache


def _counting_upper() -> tuple[Cache[bytes, bytes], list[bytes]]:
    computed: list[bytes] = []

    def compute(key: bytes) -> bytes:
        computed.append(key)
        return key.upper()

    return Cache(compute, limit=4), computed


def test_computes_each_key_once_while_it_recurs() -> None:
    """A key looked up again is not computed again."""
    cache, computed = _counting_upper()
    assert list(map(cache.__getitem__, [b"a", b"b", b"a", b"a"])) == [b"A", b"B", b"A", b"A"]
    assert computed == [b"a", b"b"]


def test_holds_at_most_two_generations() -> None:
    """However many distinct keys pass, at most twice the limit are held."""
    cache, _ = _counting_upper()
    for i in range(1000):
        assert cache[b"k%d" % i] == b"K%d" % i
        assert len(cache) + len(cache._old) <= 8


def test_recurring_key_survives_rotations() -> None:
    """A key that keeps coming back moves to the young generation and is never recomputed."""
    cache, computed = _counting_upper()
    for i in range(100):
        cache[b"busy"]
        cache[b"once%d" % i]
    assert computed.count(b"busy") == 1


def test_key_gone_from_both_generations_is_recomputed() -> None:
    """A key not seen for two rotations is forgotten and computed afresh."""
    cache, computed = _counting_upper()
    cache[b"rare"]
    for i in range(10):
        cache[b"k%d" % i]
    assert cache[b"rare"] == b"RARE"
    assert computed.count(b"rare") == 2
