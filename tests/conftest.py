"""Fixtures shared by the whole test suite."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import settings

# `pytest --hypothesis-profile=thorough` runs every property over many more examples.
settings.register_profile("thorough", max_examples=5000, deadline=None)
settings.register_profile("default", deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

#: The external validation corpus, when the steering side's folder sits beside the checkout.
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus" / "fail2ban"

#: Marks the tests that read the corpus. They skip on a contributor's machine without it, but
#: not in CI (CI=true) or with IPMASK_REQUIRE_CORPUS=1: there a missing corpus fails them.
needs_corpus = pytest.mark.skipif(
    not CORPUS.is_dir()
    and os.environ.get("CI") != "true"
    and os.environ.get("IPMASK_REQUIRE_CORPUS") != "1",
    reason=f"no corpus at {CORPUS} (it sits beside the checkout in CI)",
)


def _require(name: str) -> str:
    path = shutil.which(name) or next(
        (str(p) for d in ("/usr/sbin", "/sbin") if (p := Path(d, name)).exists()), None
    )
    if path is None:
        if os.environ.get("IPMASK_REQUIRE_REAL") == "1":
            pytest.fail(f"{name} is required here (IPMASK_REQUIRE_REAL=1) but is not installed")
        pytest.skip(f"{name} is not installed (scripts/check.sh installs it as root)")
    return path


@pytest.fixture
def require_program() -> Callable[[str], str]:
    """Return the path of a real program; skip (or fail under IPMASK_REQUIRE_REAL=1) if absent."""
    return _require
