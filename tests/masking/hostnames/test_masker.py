"""ipmask.masking.hostnames.HostnameMasker (ipmask.masking.hostnames._masker): the pass over
whole blocks, its caches, and what it never does."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import CORPUS, needs_corpus
from helpers import OCTETS, ZERO, X, caches_in
from ipmask.masking import Limits
from ipmask.masking.hostnames import HostnameMasker, apply_edits
from masking.hostnames.helpers import (
    SHAPES,
    TEMPLATES,
    both,
    copies_in_clear,
    names_only,
    render,
)


def test_repr_names_the_masker_and_the_mode() -> None:
    """The repr says which masker and whether names alone are masked."""
    assert repr(HostnameMasker(X, standalone=True)) == f"HostnameMasker({X!r}, standalone=True)"


LOOK_ALIKES = [
    "connect from mx01.example.net[203.0.113.9]",
    "connect from mail2.example.com[203.0.113.2]",
    "connect from node-2024-11-22.example.net[203.0.113.22]",
    "connect from host-203-0-113.example.net[203.0.113.9]",  # only the kept octets
    "connect from unknown[203.0.113.9]",
    "postfix/smtpd[12345]: disconnect from unknown[2001:db8::1]",
    "Dovecot v2.3.19.1 (9b53102964) starting up for imap, pop3",
    "GET /phpMyAdmin-2.8.2.3/scripts/setup.php HTTP/1.1",
    "backup-2024-11-22-10-30-00.tar.gz written",
    "call 030-123-45-67 now",
    "uuid 550e8400-e29b-41d4-a716-446655440000",
    "ids 1-2-3-4-5.example and 1.2.3.4.5.example",
    "session=<LgDINsQCkttVIMPg> 1VxHRO-000NiI-Ly",
    "xn--mnchen-3ya.example 2001-db8 2024-11-22T10:30:00",
    "order 123456789012 shipped",
    "PTR 1.0.ip6.arpa",
    "host ip-300-1-2-3.example",
    "host 2001-1-2-3-4-5--6-7-8-9.example",
    "ruleset=check_relay , arg2=203.0.113.9",
    "Address unknown maps to mx01.example.net, but this does not map back",
]


@pytest.mark.parametrize("line", LOOK_ALIKES)
def test_look_alikes_stay(line: str) -> None:
    """Names that only look numeric, and numbers that are not in names, are left alone."""
    assert names_only(line, standalone=True) == line
    assert names_only(line, ZERO, standalone=True) == line


def test_many_lines_in_one_block() -> None:
    """A block of lines is masked line by line, with the bytes between names unchanged."""
    block = (
        b"a 81-14-219-37.example.net[81.14.219.37]\r\n"
        b"\xff\xfe not utf-8 \x00 from 9-8-7-6.example [9.8.7.6]\n"
        b"no final newline from 2001-db8--1.example[2001:db8::1]"
    )
    assert HostnameMasker(X, standalone=False)(block) == (
        b"a 81-14-219-XXX.example.net[81.14.219.37]\r\n"
        b"\xff\xfe not utf-8 \x00 from 9-8-7-XXX.example [9.8.7.6]\n"
        b"no final newline from 2001-db8-000X-XXXX-XXXX-XXXX-XXXX-XXXX.example[2001:db8::1]"
    )


def test_repeated_names_come_from_the_cache() -> None:
    """The same name twice (and in later blocks) is masked the same way each time."""
    names = HostnameMasker(X, standalone=True)
    line = b"from 81-14-219-37.example.net[81.14.219.37]\n"
    first = names(line * 3)
    assert first == b"from 81-14-219-XXX.example.net[81.14.219.37]\n" * 3
    assert names(line * 3) == first


@settings(max_examples=200, deadline=None)
@given(o=OCTETS, template=st.sampled_from(TEMPLATES), shape=st.sampled_from(SHAPES))
def test_property_no_copy_left_in_clear(o, template, shape):
    """Whatever the octets (repeats included), no copy of the whole address stays in the name."""
    name = render(template, o)
    addr = ".".join(map(str, o))
    out = both(shape.format(name=name, addr=addr), standalone=True)
    assert copies_in_clear(out, o) == []


@settings(max_examples=150, deadline=None)
@given(o=OCTETS, template=st.sampled_from(TEMPLATES), shape=st.sampled_from(SHAPES))
def test_property_masking_twice_changes_nothing(o, template, shape):
    """The pass and the masker together are idempotent, in both styles."""
    line = shape.format(name=render(template, list(o)), addr=".".join(map(str, o)))
    for masker in (X, ZERO):
        once = both(line, masker, standalone=True)
        assert both(once, masker, standalone=True) == once


def _skeleton(data: bytes) -> tuple[bytes, int]:
    """The bytes a name edit may not touch, and the number of lines."""
    return re.sub(rb"[0-9A-Fa-fX:.\-]+", b"_", data), data.count(b"\n")


NAMEISH = st.binary().map(bytes) | st.text(
    alphabet="0123456789abcdefip-.:[]() ,=Xarpn\n\r", max_size=200
).map(str.encode)


@settings(max_examples=400, deadline=None)
@given(data=NAMEISH, standalone=st.booleans())
def test_property_any_bytes_never_raise_and_keep_their_shape(data, standalone):
    """Any bytes: no exception, the same number of lines, and nothing outside numbers changed."""
    for masker in (X, ZERO):
        names = HostnameMasker(masker, standalone=standalone)
        out = names(data)
        assert _skeleton(out) == _skeleton(data)
        assert _skeleton(names.mask_name(data)) == _skeleton(data)


_LABEL = re.compile(r'^#\s*failJSON:.*"host":\s*"([0-9]{1,3}(?:\.[0-9]{1,3}){3})"')


def _labelled_ipv4_lines() -> list[tuple[str, bytes]]:
    """(address, line) for each sample line labelled with an IPv4 client address."""
    out = []
    for path in sorted(CORPUS.iterdir()):
        lines = path.read_bytes().splitlines()
        for i, raw in enumerate(lines[:-1]):
            label = _LABEL.match(raw.decode("utf-8", "replace"))
            if label:
                following = (x for x in lines[i + 1 :] if not x.startswith(b"#"))
                line = next(following, None)
                if line is not None:
                    out.append((label[1], line))
    return out


@needs_corpus
def test_corpus_no_labelled_address_left_in_names() -> None:
    """In the fail2ban samples, no labelled address is left spelled out after masking."""
    cases = _labelled_ipv4_lines()
    assert len(cases) > 500
    names = HostnameMasker(X, standalone=True)
    left = []
    for addr, line in cases:
        out = X.mask_bytes(names(line)).decode("utf-8", "replace")
        if copies_in_clear(out, addr.split(".")):
            left.append(out)
    assert left == []


def test_caches_turn_over_when_full(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a tiny cache limit, results stay right and the caches stay small."""
    monkeypatch.setattr(Limits, "NAMES", 2)
    names = HostnameMasker(X, standalone=True)
    for last in range(10):
        line = f"from 81-14-219-{last}.example.net[81.14.219.{last}] rhost=ip-9-9-9-{last}.example"
        assert names(line.encode()) == (
            b"from 81-14-219-XXX.example.net[81.14.219.%d] rhost=ip-XXX-9-9-XXX.example" % last
        )
        assert names.mask_name(b"s1-2-3-%d" % last) == b"sXXX-2-3-XXX"
    caches = caches_in(names)
    assert len(caches) >= 3  # pairs, names alone, plans
    assert max(map(len, caches)) <= 2


def test_edits_are_what_the_call_applies() -> None:
    """edits() lists, in order, exactly the changes the call makes."""
    names = HostnameMasker(X, standalone=True)
    block = b"from 9-8-7-6.example [9.8.7.6] rhost=ip-1-2-3-4.example\nfrom unknown[9.8.7.6]\n"
    edits = names.edits(block)
    assert [(block[start:end], new) for start, end, new in edits] == [
        (b"9-8-7-6.example", b"9-8-7-XXX.example"),
        (b"1-2-3-4", b"XXX-2-3-XXX"),
    ]
    assert apply_edits(block, edits) == names(block)


def test_block_without_names_comes_back_as_it_is() -> None:
    """A block with nothing to mask is returned itself, not a copy."""
    block = b"postfix/smtpd[1]: connect from unknown[203.0.113.9]\n" * 3
    assert HostnameMasker(X, standalone=True)(block) is block
