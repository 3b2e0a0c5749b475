"""Shared fixtures for the pytest-benchmark suite (run: pytest benchmarks --benchmark-enable)."""

from __future__ import annotations

import functools
from collections.abc import Callable

import pytest

import corpora


@functools.cache
def _block(name: str, lines: int) -> bytes:
    return corpora.block(name, lines)


@pytest.fixture(scope="session")
def block() -> Callable[[str, int], bytes]:
    """``block(name, lines)``: the first lines of a seeded corpus, as bytes (made once)."""
    return _block
