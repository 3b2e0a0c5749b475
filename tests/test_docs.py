"""The examples in docs/ and in docstrings run and give what they show."""

from __future__ import annotations

import doctest
import re
from pathlib import Path

import pytest

import ipmask
import ipmask.core

DOCS = Path(__file__).resolve().parents[1] / "docs"
_PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def _run(text: str, name: str) -> doctest.TestResults:
    parser = doctest.DocTestParser()
    test = parser.get_doctest(text, {}, name, name, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    runner.run(test)
    return runner.summarize(verbose=False)


PAGES_WITH_EXAMPLES = sorted(
    p.name for p in DOCS.glob("*.md") if ">>>" in "".join(_PYTHON_BLOCK.findall(p.read_text()))
)


def test_some_pages_have_examples() -> None:
    """The docs do carry runnable examples (so the test below is not vacuous)."""
    assert "masking.md" in PAGES_WITH_EXAMPLES


@pytest.mark.parametrize("page", PAGES_WITH_EXAMPLES)
def test_python_examples_in_docs(page: str) -> None:
    """Every `>>>` example in a docs page's python blocks prints what the page says."""
    blocks = _PYTHON_BLOCK.findall((DOCS / page).read_text(encoding="utf-8"))
    results = _run("\n".join(b for b in blocks if ">>>" in b), page)
    assert results.failed == 0
    assert results.attempted > 0


@pytest.mark.parametrize("module", [ipmask, ipmask.core])
def test_docstring_examples(module: object) -> None:
    """The examples in the package's docstrings hold."""
    results = doctest.testmod(module)  # type: ignore[arg-type]
    assert results.failed == 0
    assert results.attempted > 0
