"""The one cache type, and every cache's size in one place.

Log fields repeat heavily but with a long tail: in the seeded Apache corpus a few clients send
most requests and most clients appear once or twice (67,963 distinct in 1,000,000 lines). A
cache that is emptied when full forgets the busy clients along with the tail; one that is
never emptied grows with the number of distinct clients, and memory must stay flat. So a
:class:`Cache` keeps two generations: the dict itself (young) and the one it replaced when it
last filled up (old). A key found in the old generation moves to the young one, so what recurs
survives any number of rotations, and at most ``2 * limit`` entries are held.

A hit is a plain ``dict`` lookup that never leaves C (``map(cache.__getitem__, keys)``);
Python runs only on a miss.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from typing import Generic, TypeVar

__all__ = ["Cache", "Limits"]

K = TypeVar("K")
V = TypeVar("V")


class Limits:
    """Entries per generation, for every cache ipmask keeps (all of them, here)."""

    #: A scanning pass's matches (``Masker.mask_bytes``), one cache per family.
    ADDRESSES = 1 << 13
    #: A web format's address column. Clients repeat with a long tail, and nearly every line has
    #: this column: 16,384 misses 81,159 times in 1,000,000 seeded Apache lines, 32,768 misses
    #: 70,184 times, where an unbounded dict misses 67,963 times (each distinct client once).
    COLUMN = 1 << 15
    #: Host names with their address, and names alone. A plan holds every spelling order of its
    #: address (about 600 bytes), so this bound keeps the host-name caches to a few MiB: two
    #: generations of 2,048 hold as many as the 4,096 of a cache emptied when full.
    NAMES = 1 << 11
    #: Dovecot session ids: one per login, each seen on a few lines.
    SESSIONS = 1 << 14
    #: Small side tables: counts per column value, Postfix's HELO names.
    SIDE = 1 << 11
    #: Message templates of the logging filter: usually constants, so few.
    TEMPLATES = 1 << 10
    #: Maskers made by ``mask_text`` / ``mask_ip`` for the settings they were called with.
    MASKERS = 16


def _unknown(key: object) -> object:
    raise KeyError(key)


class Cache(dict[K, V], Generic[K, V]):
    """key -> ``compute(key)``, computed once per key while it keeps recurring.

    With ``rotate_on_miss`` False the owner decides when the generations turn over
    (:meth:`rotate_if_full`): a scanning pass needs every key of a block to stay known until
    the block is done. ``revive`` is called with a key that moves from the old generation to
    the young one, for an owner that keeps other caches in step with this one.
    """

    __slots__ = ("_compute", "_limit", "_old", "_on_miss", "_revive")

    def __init__(
        self,
        compute: Callable[[K], V] = _unknown,  # type: ignore[assignment]
        limit: int = Limits.SIDE,
        *,
        rotate_on_miss: bool = True,
        revive: Callable[[K], object] | None = None,
    ) -> None:
        super().__init__()
        self._compute = compute
        self._limit = limit
        self._on_miss = rotate_on_miss
        self._revive = revive
        self._old: dict[K, V] = {}

    def __missing__(self, key: K) -> V:
        old = self._old
        if key in old:
            value = old[key]
            if self._revive is not None:
                self._revive(key)
        else:
            value = self._compute(key)
        if self._on_miss and len(self) >= self._limit:
            self.rotate()
        self[key] = value
        return value

    def peek(self, key: K) -> V | None:
        """The value of ``key`` in either generation, or None; never computes."""
        value = self.get(key)
        return self._old.get(key) if value is None else value

    def holds_any(self, keys: Collection[K]) -> bool:
        """Whether either generation holds one of ``keys``."""
        if not self and not self._old:
            # The usual answer, without hashing every key.
            return False
        return not (self.keys().isdisjoint(keys) and self._old.keys().isdisjoint(keys))

    def rotate_if_full(self) -> bool:
        """Turn the generations over if the young one is full; whether it did."""
        if len(self) < self._limit:
            return False
        self.rotate()
        return True

    def rotate(self) -> None:
        """Make the young generation the old one and start an empty young one."""
        self._old = dict(self)
        self.clear()
