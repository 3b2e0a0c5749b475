"""Compressed logs: telling gzip, bzip2 and xz by their magic bytes, reading and writing them."""

from __future__ import annotations

import bz2
import errno
import gzip
import io
import lzma
import random
import struct
import zlib
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ipmask.streaming import CODECS, HEAD_SIZE, Codec, detect_codec, is_damage

TEXT = b"78.46.198.140 - - GET / 200\nclient 2a01:4f8:1c17:413b::1\n\xff\x00 no final newline"
# Compressors as the real tools' formats, by the name ipmask reports.
COMPRESS: dict[str, Callable[[bytes], bytes]] = {
    "gzip": gzip.compress,
    "bzip2": bz2.compress,
    "xz": lzma.compress,
}


def _web_log(lines: int) -> bytes:
    """Varied web log lines: unlike repeated text, each compression level packs them its way."""
    rng = random.Random(1)
    return b"".join(
        b"%d.%d.%d.%d - - GET /p/%d %d\n"
        % (*(rng.randrange(256) for _ in range(4)), rng.randrange(10**6), rng.randrange(10**4))
        for _ in range(lines)
    )


VARIED = _web_log(5000)
BY_NAME = {codec.name: codec for codec in CODECS}


def write_with(codec: Codec, data: bytes, head: bytes = b"") -> bytes:
    """``data`` compressed by ``codec``'s writer, given ``head`` as the original's start."""
    raw = io.BytesIO()
    with codec.writer(raw, head) as out:
        out.write(data)
    return raw.getvalue()


def read_with(codec: Codec, data: bytes) -> bytes:
    """``data`` decompressed by ``codec``'s reader."""
    with codec.reader(io.BytesIO(data)) as source:
        return source.read()


# -- detection -----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMPRESS))
def test_detects_each_format(name):
    """Output of each compressor is recognised as its format."""
    codec = detect_codec(COMPRESS[name](TEXT))
    assert codec is not None
    assert codec.name == name


@pytest.mark.parametrize("level", range(1, 10))
def test_detects_bzip2_at_every_level(level):
    """bzip2 is recognised whatever its block size digit."""
    codec = detect_codec(bz2.compress(TEXT, compresslevel=level))
    assert codec is BY_NAME["bzip2"]


def test_detects_an_empty_bzip2_stream():
    """An empty bzip2 stream (end-of-stream signature right after the header) is bzip2."""
    assert detect_codec(bz2.compress(b"")) is BY_NAME["bzip2"]


@pytest.mark.parametrize(
    "head",
    [b"", b"plain text\n", b"BZh9 from 192.0.2.1\n", b"BZh0" + b"1AY&SY", b"\x1f\x8b", b"\xfd7zXZ"],
)
def test_plain_text_is_not_compressed(head):
    """Text that is no magic number, or only starts like one, is plain."""
    assert detect_codec(head) is None


# -- reading and writing -----------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(COMPRESS))
def test_reader_decompresses_the_tool_format(name):
    """Each reader gives back what the standard compressor was given."""
    assert read_with(BY_NAME[name], COMPRESS[name](TEXT)) == TEXT


@given(data=st.binary(max_size=2000), name=st.sampled_from(sorted(COMPRESS)))
def test_writer_and_reader_round_trip(data, name):
    """What a writer compresses, its reader (and the standard library) restore, and the
    result is recognised as the same format."""
    codec = BY_NAME[name]
    packed = write_with(codec, data)
    assert detect_codec(packed) is codec
    assert read_with(codec, packed) == data
    assert {"gzip": gzip, "bzip2": bz2, "xz": lzma}[name].decompress(packed) == data


def test_bzip2_writer_uses_the_tool_default():
    """bzip2 is written as bzip2(1) writes it by default (level 9)."""
    assert write_with(BY_NAME["bzip2"], VARIED) == bz2.compress(VARIED, compresslevel=9)


def test_xz_writer_uses_the_tool_default():
    """xz is written as xz(1) writes it by default (preset 6)."""
    assert write_with(BY_NAME["xz"], VARIED) == lzma.compress(VARIED, lzma.FORMAT_XZ, preset=6)


def test_gzip_writer_uses_the_tool_default():
    """gzip is deflated at gzip(1)'s and logrotate's default level 6."""
    packed = write_with(BY_NAME["gzip"], VARIED)
    deflate = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    assert packed[10:-8] == deflate.compress(VARIED) + deflate.flush()


def test_gzip_writer_keeps_name_and_time():
    """The gzip header's original name and time are carried over from the original's head."""
    original = io.BytesIO()
    with gzip.GzipFile(filename="access.log.2", mode="wb", fileobj=original, mtime=1_234_567) as f:
        f.write(TEXT)
    packed = write_with(BY_NAME["gzip"], b"other", original.getvalue()[:HEAD_SIZE])
    assert stored(packed) == ("access.log.2", 1_234_567)


@pytest.mark.parametrize("name", sorted(COMPRESS))
def test_closing_leaves_the_file_underneath_open(name):
    """Closing a reader or a writer does not close the file it wraps (the caller owns it)."""
    codec = BY_NAME[name]
    raw = io.BytesIO()
    codec.writer(raw, b"").close()
    assert not raw.closed
    raw.seek(0)
    codec.reader(raw).close()
    assert not raw.closed


# -- gzip headers: what the writer carries over from the original's head ---------------------


def _header(flags: int, mtime: int, rest: bytes) -> bytes:
    return b"\x1f\x8b\x08" + bytes([flags]) + struct.pack("<I", mtime) + b"\x00\x03" + rest


def stored(packed: bytes) -> tuple[str, int]:
    """The name and time in the header of a gzip file without an extra field, as written."""
    assert packed[:3] == b"\x1f\x8b\x08"
    assert not packed[3] & 0x04
    mtime = struct.unpack_from("<I", packed, 4)[0]
    name = packed[10 : packed.index(b"\0", 10)] if packed[3] & 0x08 else b""
    return name.decode("latin-1"), mtime


def rewritten(head: bytes) -> tuple[str, int]:
    """The name and time the gzip writer stores, given ``head`` as the original's start."""
    packed = write_with(BY_NAME["gzip"], TEXT, head)
    assert gzip.decompress(packed) == TEXT
    return stored(packed)


def test_gzip_header_name_and_time():
    """A header with FNAME gives the stored name and time."""
    assert rewritten(_header(0x08, 42, b"mail.log.1\0data")) == ("mail.log.1", 42)


def test_gzip_header_without_name():
    """A header without FNAME gives no name, but its time."""
    assert rewritten(_header(0, 77, b"compressed data")) == ("", 77)


def test_gzip_header_skips_the_extra_field():
    """The name is found after a length-prefixed FEXTRA field."""
    head = _header(0x04 | 0x08, 5, b"\x04\x00ABCD" + b"old.name\0data")
    assert rewritten(head) == ("old.name", 5)


def test_gzip_header_name_is_latin_1():
    """Stored names are ISO 8859-1, as the gzip format says."""
    assert rewritten(_header(0x08, 1, b"caf\xe9.log\0")) == ("caf\u00e9.log", 1)


def test_gzip_header_name_without_end():
    """A name cut off before its terminating zero is dropped."""
    assert rewritten(_header(0x08, 9, b"no-terminator")) == ("", 9)


def test_gzip_header_too_short():
    """A header too short to hold a time gives neither name nor time."""
    assert rewritten(b"\x1f\x8b\x08\x08\x01\x02") == ("", 0)


# -- damaged data ----------------------------------------------------------------------------------


def _read_error(name: str, data: bytes) -> Exception:
    with pytest.raises(Exception) as caught:  # noqa: PT011 - each decompressor raises its own
        read_with(BY_NAME[name], data)
    return caught.value


@pytest.mark.parametrize("name", sorted(COMPRESS))
def test_truncated_data_is_damage(name):
    """A compressed file cut in half reads as damaged data, whatever the format."""
    packed = COMPRESS[name](TEXT * 50)
    assert is_damage(_read_error(name, packed[: len(packed) // 2]))


@pytest.mark.parametrize("name", sorted(COMPRESS))
def test_garbage_after_the_magic_is_damage(name):
    """Text behind a magic number reads as damaged data, whatever the format."""
    (magic, *_) = BY_NAME[name].magics
    assert is_damage(_read_error(name, magic + b"not really compressed at all\n" * 10))


@pytest.mark.parametrize(
    "error",
    [
        OSError(errno.EIO, "Input/output error"),
        OSError(errno.ENOSPC, "No space left on device"),
        FileNotFoundError(errno.ENOENT, "No such file or directory", "x.gz"),
        ValueError("I/O operation on closed file"),
    ],
)
def test_system_errors_are_not_damage(error):
    """Errors of the system or of the program are not taken for damaged data."""
    assert not is_damage(error)
