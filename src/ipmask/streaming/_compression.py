"""Compressed logs: gzip, bzip2 and xz, told by their magic bytes and read or written back.

Compression is recognised by content, never by name: logrotate's ``.1`` may already be
compressed, and a ``.gz`` may hold plain text. One table below serves every reader of inputs
and the in-place rewrite, which writes a file back compressed the same way it found it.
"""

from __future__ import annotations

import bz2
import gzip
import io
import lzma
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

__all__ = [
    "CODECS",
    "DAMAGE",
    "HEAD_SIZE",
    "Codec",
    "could_be_magic",
    "detect_codec",
    "gzip_header",
    "is_damage",
]

#: Enough of a file's start to recognise it and to read a gzip header with a long name.
HEAD_SIZE = 4096

#: How the decompressors report corrupt or truncated data, besides a bare OSError (see
#: :func:`is_damage`).
DAMAGE: tuple[type[Exception], ...] = (EOFError, zlib.error, lzma.LZMAError, gzip.BadGzipFile)


def is_damage(exc: BaseException) -> bool:
    """Whether a decompressing reader's exception means damaged data, not a system error.

    bz2 and lzma report corrupt data as an OSError without errno or file name; a failing
    read of the file underneath carries its errno.
    """
    if isinstance(exc, DAMAGE):
        return True
    return isinstance(exc, OSError) and exc.errno is None and exc.filename is None


def gzip_header(head: bytes) -> tuple[str, int]:
    """The original name and time stored in a gzip header, so a rewrite keeps them.

    A header too short to hold them gives none; reading such a file fails anyway.
    """
    if len(head) < 12:
        return "", 0
    flags, mtime = head[3], struct.unpack_from("<I", head, 4)[0]
    pos = 10
    if flags & 0x04:  # FEXTRA: a length-prefixed field before the name
        pos += 2 + struct.unpack_from("<H", head, pos)[0]
    name = b""
    if flags & 0x08:  # FNAME: zero-terminated, ISO 8859-1
        end = head.find(b"\0", pos)
        name = head[pos:end] if end >= 0 else b""
    return name.decode("latin-1"), int(mtime)


def _read_gzip(raw: BinaryIO) -> io.BufferedIOBase:
    return gzip.GzipFile(fileobj=raw, mode="rb")


def _write_gzip(raw: BinaryIO, head: bytes) -> io.BufferedIOBase:
    name, mtime = gzip_header(head)
    # Level 6 is what gzip(1) and logrotate use by default.
    return gzip.GzipFile(filename=name, mode="wb", compresslevel=6, fileobj=raw, mtime=mtime)


def _read_bzip2(raw: BinaryIO) -> io.BufferedIOBase:
    return bz2.BZ2File(raw, "rb")


def _write_bzip2(raw: BinaryIO, head: bytes) -> io.BufferedIOBase:
    return bz2.BZ2File(raw, "wb", compresslevel=9)  # bzip2(1)'s default


def _read_xz(raw: BinaryIO) -> io.BufferedIOBase:
    return lzma.LZMAFile(raw, "rb", format=lzma.FORMAT_XZ)


def _write_xz(raw: BinaryIO, head: bytes) -> io.BufferedIOBase:
    return lzma.LZMAFile(raw, "wb", format=lzma.FORMAT_XZ, preset=6)  # xz(1)'s default


@dataclass(frozen=True)
class Codec:
    """A compression format: its magic numbers, a decompressing reader and a compressor.

    ``reader(raw)`` and ``writer(raw, head)`` wrap a binary file without closing it when they
    are closed; ``writer`` gets the original's first bytes (up to :data:`HEAD_SIZE`) to carry
    header fields over.
    """

    name: str
    magics: tuple[bytes, ...]
    reader: Callable[[BinaryIO], io.BufferedIOBase]
    writer: Callable[[BinaryIO, bytes], io.BufferedIOBase]


#: bzip2's magic includes the first block's (or the empty stream's) signature, so that a plain
#: line starting with "BZh9" is not taken for one.
CODECS: tuple[Codec, ...] = (
    Codec("gzip", (b"\x1f\x8b\x08",), _read_gzip, _write_gzip),
    Codec(
        "bzip2",
        tuple(
            b"BZh%d%s" % (level, signature)
            for level in range(1, 10)
            for signature in (b"1AY&SY", b"\x17rE8P\x90")
        ),
        _read_bzip2,
        _write_bzip2,
    ),
    Codec("xz", (b"\xfd7zXZ\x00",), _read_xz, _write_xz),
)

_ALL_MAGICS = tuple(magic for codec in CODECS for magic in codec.magics)


def detect_codec(head: bytes) -> Codec | None:
    """The format whose magic bytes start ``head``, or None for plain text."""
    return next((codec for codec in CODECS if head.startswith(codec.magics)), None)


def could_be_magic(head: bytes) -> bool:
    """Whether ``head`` is a strict beginning of some magic number, so more must be read
    before :func:`detect_codec` can tell. Such a beginning never holds a newline."""
    return any(len(head) < len(magic) and magic.startswith(head) for magic in _ALL_MAGICS)
