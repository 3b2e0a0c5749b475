"""The one progress bar: drawn on a stream, at most ten times a second, wiped when done."""

from __future__ import annotations

import io
import time

import pytest

from ipmask.streaming import Progress, no_progress


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    """time.monotonic, held still until the test moves it."""
    fake = Clock()
    monkeypatch.setattr(time, "monotonic", fake)
    return fake


class Flushes(io.StringIO):
    """A stream that notes how often it was flushed."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed = 0

    def flush(self) -> None:
        self.flushed += 1
        super().flush()


def test_draws_the_share_done_on_one_line(clock):
    """A call draws the label, a bar of the share done and the percentage, from the line's start."""
    err = Flushes()
    Progress(err, "access.log", 200)(50)
    assert err.getvalue() == "\raccess.log [" + "#" * 7 + "-" * 23 + "]  25%"
    assert err.flushed == 1


def test_share_is_capped_at_the_whole(clock):
    """More done than the total (a file that grew) draws a full bar, not more."""
    err = io.StringIO()
    Progress(err, "f", 10)(25)
    assert err.getvalue() == "\rf [" + "#" * 30 + "] 100%"


def test_empty_total_draws_without_dividing_by_zero(clock):
    """A total of zero (an empty file, or one whose size is unknown) still draws a bar."""
    err = io.StringIO()
    Progress(err, "f", 0)(0)
    assert err.getvalue() == "\rf [" + "-" * 30 + "]   0%"


def test_redraws_at_most_ten_times_a_second(clock):
    """Calls within 0.1 s of the last drawing draw nothing; the next one after draws again."""
    err = io.StringIO()
    bar = Progress(err, "f", 100)
    bar(10)
    clock.now += 0.05
    bar(20)
    bar(30)
    assert err.getvalue().count("\r") == 1
    clock.now += 0.06
    bar(40)
    assert err.getvalue().count("\r") == 2
    assert err.getvalue().endswith("  40%")


def test_clear_wipes_what_was_drawn(clock):
    """clear() overwrites the whole bar with blanks and returns to the line's start."""
    err = io.StringIO()
    bar = Progress(err, "mail.log.1", 100)
    bar(100)
    drawn = err.getvalue()
    bar.clear()
    wipe = err.getvalue()[len(drawn) :]
    assert wipe == "\r" + " " * len(wipe[1:-1]) + "\r"
    assert len(wipe) - 2 >= len(drawn) - 1


def test_clear_writes_nothing_when_nothing_was_drawn(clock):
    """A bar that never drew leaves the stream untouched when cleared."""
    err = Flushes()
    Progress(err, "f", 100).clear()
    assert err.getvalue() == ""
    assert err.flushed == 0


def test_no_progress_does_nothing(capsys):
    """no_progress takes the same call as a bar and neither writes nor returns anything."""
    assert no_progress(12_345) is None
    assert capsys.readouterr() == ("", "")
