"""The examples in docs/ and in docstrings run and give what they show."""

from __future__ import annotations

import doctest
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import ipmask

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


def _modules_with_examples() -> list[str]:
    """The package's modules whose docstrings hold examples (``__main__`` would run the CLI)."""
    found = pkgutil.walk_packages(ipmask.__path__, "ipmask.")
    names = ["ipmask", *(info.name for info in found if not info.name.endswith("__main__"))]
    finder = doctest.DocTestFinder()
    return [
        name
        for name in names
        if any(test.examples for test in finder.find(importlib.import_module(name)))
    ]


MODULES_WITH_EXAMPLES = _modules_with_examples()


def test_some_modules_have_examples() -> None:
    """The docstrings do carry examples where the public API is (so the test below runs)."""
    assert {"ipmask", "ipmask.masking._masker", "ipmask.masking._settings"} <= set(
        MODULES_WITH_EXAMPLES
    )


@pytest.mark.parametrize("name", MODULES_WITH_EXAMPLES)
def test_docstring_examples(name: str) -> None:
    """The examples in each module's docstrings hold."""
    results = doctest.testmod(importlib.import_module(name))
    assert results.failed == 0
    assert results.attempted > 0
