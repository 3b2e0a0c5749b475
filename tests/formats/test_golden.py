"""Golden files: each format's filter on hand-written logs, checked byte for byte."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest

from ipmask import Counts
from ipmask.formats import LineFilter, get_filter

GOLDEN = Path(__file__).parent / "golden"

APACHE_TEMPLATE = (
    r"%a %{c}a %l %u %t \"%r\" %>s %b \"%{X-Forwarded-For}i\" %{X-Real-IP}i %D "
    r"\"%{User-Agent}i\""
)
NGINX_TEMPLATE = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent" "$http_x_forwarded_for" rt=$request_time '
    'ua="$upstream_addr" real=$realip_remote_addr'
)

#: golden file stem -> get_filter arguments
CASES: dict[str, dict[str, Any]] = {
    "any": {"format": "any"},
    "common": {"format": "common"},
    "combined": {"format": "combined"},
    "vhost_combined": {"format": "vhost_combined"},
    "nginx": {"format": "nginx"},
    "apache-format": {"apache_format": APACHE_TEMPLATE},
    "nginx-format": {"nginx_format": NGINX_TEMPLATE},
    "apache-error": {"format": "apache-error"},
    "nginx-error": {"format": "nginx-error"},
    "postfix": {"format": "postfix"},
    "dovecot": {"format": "dovecot"},
    "syslog": {"format": "syslog"},
}

#: lines of each golden input that do not fit its format (worked out from the files by hand)
UNFIT = {
    "any": 0,
    "common": 4,
    "combined": 5,
    "vhost_combined": 3,
    "nginx": 3,
    "apache-format": 3,
    "nginx-format": 3,
    "apache-error": 3,
    "nginx-error": 4,
    "postfix": 2,
    "dovecot": 2,
    "syslog": 3,
}


def _filter(name: str, counts: Counts | None = None) -> LineFilter:
    return get_filter(**CASES[name], counts=counts)


def _golden(name: str) -> tuple[bytes, bytes]:
    return (GOLDEN / f"{name}.in.log").read_bytes(), (GOLDEN / f"{name}.out.log").read_bytes()


def _lines(data: bytes) -> list[bytes]:
    """Split into lines that keep their b"\n" (only the last may lack one)."""
    pieces = data.split(b"\n")
    return [p + b"\n" for p in pieces[:-1]] + ([pieces[-1]] if pieces[-1] else [])


@pytest.mark.parametrize("name", CASES)
def test_whole_file(name: str) -> None:
    """The whole input as one block gives the expected output byte for byte."""
    data, expected = _golden(name)
    assert _filter(name)(data) == expected


@pytest.mark.parametrize("name", CASES)
def test_line_by_line(name: str) -> None:
    """Each line on its own (the live, piped case) gives the same output."""
    data, expected = _golden(name)
    f = _filter(name)
    assert b"".join(map(f, _lines(data))) == expected


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("seed", range(3))
def test_random_blocks(name: str, seed: int) -> None:
    """Blocks of random numbers of whole lines give the same output."""
    data, expected = _golden(name)
    f = _filter(name)
    rng = random.Random(seed)
    lines = _lines(data)
    out, i = [], 0
    while i < len(lines):
        n = rng.randint(1, 7)
        out.append(f(b"".join(lines[i : i + n])))
        i += n
    assert b"".join(out) == expected


@pytest.mark.parametrize("name", CASES)
def test_unfit_lines_counted(name: str) -> None:
    """The lines that do not fit the format are counted."""
    data, _ = _golden(name)
    counts = Counts()
    _filter(name, counts)(data)
    assert counts.unfit == UNFIT[name]


@pytest.mark.parametrize("name", CASES)
def test_golden_files_are_big_enough(name: str) -> None:
    """Every golden input has at least 30 lines."""
    data, _ = _golden(name)
    assert data.count(b"\n") + 1 >= 30


@pytest.mark.parametrize("name", CASES)
def test_counts_do_not_depend_on_the_blocks(name: str) -> None:
    """The whole file as one block and line by line add up to the same counts."""
    data, _ = _golden(name)
    whole, piecewise = Counts(), Counts()
    _filter(name, whole)(data)
    f = _filter(name, piecewise)
    for line in _lines(data):
        f(line)
    assert whole == piecewise
    assert whole.ipv4 + whole.ipv6 > 0
