"""ipmask.masking.Cache: the two-generation cache behind every column, name and match cache."""

from __future__ import annotations

from typing import Any

import pytest

from ipmask.masking import Cache

KEYS = [b"k%d" % i for i in range(10)]


def _counting_upper(limit: int = 4, **options: Any) -> tuple[Cache[bytes, bytes], list[bytes]]:
    """A cache of ``key.upper()`` and the list of keys it computed, in order."""
    computed: list[bytes] = []

    def compute(key: bytes) -> bytes:
        computed.append(key)
        return key.upper()

    return Cache(compute, limit, **options), computed


def _held(cache: Cache[bytes, bytes], keys: list[bytes]) -> list[bytes]:
    """The ``keys`` that either generation of ``cache`` still holds."""
    return [key for key in keys if cache.peek(key) is not None]


def test_computes_each_key_once_while_it_recurs() -> None:
    """A key looked up again is not computed again."""
    cache, computed = _counting_upper()
    assert list(map(cache.__getitem__, [b"a", b"b", b"a", b"a"])) == [b"A", b"B", b"A", b"A"]
    assert computed == [b"a", b"b"]


def test_holds_at_most_two_generations() -> None:
    """However many distinct keys pass, at most twice the limit are held."""
    cache, _ = _counting_upper()
    keys = [b"k%d" % i for i in range(1000)]
    for i, key in enumerate(keys):
        assert cache[key] == key.upper()
        assert len(_held(cache, keys[: i + 1])) <= 8


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
    for key in KEYS:
        cache[key]
    assert cache[b"rare"] == b"RARE"
    assert computed.count(b"rare") == 2


def test_without_compute_a_missing_key_raises_key_error() -> None:
    """A cache made without ``compute`` is a dict: a key never set raises KeyError."""
    cache: Cache[bytes, int] = Cache()
    with pytest.raises(KeyError):
        cache[b"never"]


def test_without_compute_a_set_key_is_found_after_a_rotation() -> None:
    """A value set directly moves from the old generation back to the young one when read."""
    cache: Cache[bytes, int] = Cache(limit=4)
    cache[b"set"] = 7
    cache.rotate()
    assert len(cache) == 0
    assert cache[b"set"] == 7
    assert len(cache) == 1


def test_without_rotate_on_miss_the_young_generation_grows_past_the_limit() -> None:
    """With rotate_on_miss=False, misses never turn the generations over by themselves."""
    cache, computed = _counting_upper(rotate_on_miss=False)
    for key in KEYS:
        cache[key]
    assert len(cache) == len(KEYS)
    assert _held(cache, KEYS) == KEYS
    assert computed == KEYS


def test_with_rotate_on_miss_the_young_generation_stays_within_the_limit() -> None:
    """By default a miss on a full young generation turns the generations over first."""
    cache, _ = _counting_upper()
    for key in KEYS:
        cache[key]
        assert len(cache) <= 4


def test_rotate_if_full_leaves_a_cache_below_its_limit() -> None:
    """rotate_if_full() on a young generation below the limit changes nothing, returns False."""
    cache, _ = _counting_upper(rotate_on_miss=False)
    for key in KEYS[:3]:
        cache[key]
    assert cache.rotate_if_full() is False
    assert sorted(cache) == KEYS[:3]


def test_rotate_if_full_turns_a_full_cache_over() -> None:
    """rotate_if_full() on a full young generation empties it into the old one, returns True."""
    cache, _ = _counting_upper(rotate_on_miss=False)
    for key in KEYS[:4]:
        cache[key]
    assert cache.rotate_if_full() is True
    assert len(cache) == 0
    assert _held(cache, KEYS) == KEYS[:4]


def test_two_rotations_forget_what_was_not_read_between_them() -> None:
    """What sat in the old generation is gone after the next rotation."""
    cache, _ = _counting_upper(rotate_on_miss=False)
    for key in KEYS[:4]:
        cache[key]
    cache.rotate_if_full()
    cache[KEYS[0]]  # moves back to the young generation
    for key in KEYS[4:7]:
        cache[key]
    assert cache.rotate_if_full() is True
    assert _held(cache, KEYS) == [KEYS[0], *KEYS[4:7]]


def test_peek_never_computes() -> None:
    """peek() of an unknown key returns None, computes nothing and stores nothing."""
    cache, computed = _counting_upper()
    assert cache.peek(b"new") is None
    assert computed == []
    assert len(cache) == 0


def test_peek_reads_the_old_generation_without_moving_the_key() -> None:
    """peek() finds a key of the old generation and leaves it there."""
    cache, computed = _counting_upper()
    cache[b"old"]
    cache.rotate()
    assert cache.peek(b"old") == b"OLD"
    assert len(cache) == 0
    assert computed == [b"old"]


def test_peek_returns_falsy_values_of_the_young_generation() -> None:
    """A value 0 in the young generation is returned as 0, not taken for a miss."""
    cache: Cache[bytes, int] = Cache()
    cache[b"zero"] = 0
    assert cache.peek(b"zero") == 0


def test_holds_any_sees_the_young_generation() -> None:
    """holds_any() is True when one of the keys is in the young generation."""
    cache, _ = _counting_upper()
    cache[b"young"]
    assert cache.holds_any([b"other", b"young"]) is True


def test_holds_any_sees_the_old_generation() -> None:
    """holds_any() is True when one of the keys is only in the old generation."""
    cache, _ = _counting_upper()
    cache[b"old"]
    cache.rotate()
    assert cache.holds_any([b"old"]) is True
    assert len(cache) == 0


def test_holds_any_is_false_for_keys_it_does_not_hold() -> None:
    """holds_any() is False for unknown keys, for forgotten ones and for no keys at all."""
    cache, computed = _counting_upper()
    cache[b"gone"]
    cache.rotate()
    cache.rotate()
    assert cache.holds_any([b"gone", b"never"]) is False
    assert cache.holds_any([]) is False
    assert computed == [b"gone"]


def test_revive_is_called_when_a_key_moves_from_the_old_generation() -> None:
    """revive() gets the key, once, when it comes back from the old generation."""
    revived: list[bytes] = []
    cache, computed = _counting_upper(revive=revived.append)
    cache[b"k"]
    cache.rotate()
    assert cache[b"k"] == b"K"
    assert cache[b"k"] == b"K"
    assert revived == [b"k"]
    assert computed == [b"k"]


def test_revive_is_not_called_for_new_keys_or_young_hits() -> None:
    """A key computed afresh, or found in the young generation, is no revival."""
    revived: list[bytes] = []
    cache, _ = _counting_upper(revive=revived.append)
    cache[b"k"]
    cache[b"k"]
    cache.rotate()
    cache.rotate()
    cache[b"k"]  # forgotten: computed again
    assert revived == []
