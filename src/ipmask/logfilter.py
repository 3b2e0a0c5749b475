"""A ``logging.Filter`` that masks the addresses in a record before any handler writes it.

The record's own objects are never changed: its ``args`` (a tuple, or the caller's dict) and a
dict ``msg`` are replaced by masked copies. What is masked:

- ``msg``: a ``str`` is masked as text; when the record has arguments, only the literal text
  between the ``%`` conversions is, so ``"%d::1"`` keeps its ``%d``. A dict is copied and its
  values masked like arguments. Any other object is wrapped so that its ``str()`` is masked.
- each argument (or each value of a dict argument): ``str`` and ``bytes`` are masked; numbers
  (``int``, ``float``, ``Decimal``, anything with ``__index__``) and ``None`` are kept as they
  are, so ``%d`` and ``%.2f`` still work; any other object (an ``ipaddress`` object, a list, a
  request) is wrapped so that its ``str()`` and ``repr()`` are masked when the record is
  formatted.
- the exception and stack text: ``exc_text`` is rendered by ``logging.Formatter`` (as every
  stock handler would do) and masked; ``stack_info`` is masked.

An address built by the formatting itself (``"%s.%s" % ("198.51", "100.7")``) is not seen.
The exception object in ``exc_info`` is the caller's and is left alone: a handler that reads it
instead of ``exc_text`` (such as an error-tracking service's) sees it unmasked.
"""

from __future__ import annotations

import logging
import numbers
import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ipmask.masking import Cache, Limits, Masker, Options, Settings

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["MaskingFilter"]

#: One ``%`` conversion as ``str % args`` reads it (``%%`` included), per the Python docs'
#: "printf-style String Formatting": key, flags, width, precision, length modifier, type.
_CONVERSION = re.compile(
    r"(%(?:\([^)]*\))?[#0 +-]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%])"
)

_Text = Callable[[str], str]


class _Masked:
    """Stands in for an argument that is not text: its ``str()`` and ``repr()`` are masked."""

    __slots__ = ("_mask", "_value")

    def __init__(self, value: object, mask: _Text) -> None:
        self._value = value
        self._mask = mask

    def __str__(self) -> str:
        return self._mask(str(self._value))

    def __repr__(self) -> str:
        return self._mask(repr(self._value))


def _keep(value: object) -> object:
    return value


class MaskingFilter(logging.Filter):
    """Mask every IP address in each record; never drops a record.

    Takes a :class:`ipmask.Settings`, or its fields as keywords, as :class:`ipmask.Masker`
    does (only the masking settings matter here). Attach it to a handler, so that it sees every
    record the handler writes (a logger's filters do not see records from its children).
    """

    def __init__(self, settings: Settings | None = None, /, **options: Unpack[Options]) -> None:
        super().__init__()
        self.masker = Masker(settings, **options)
        self._exceptions = logging.Formatter()
        # Templates are usually constants, so masking them is free after the first record.
        self._template: Cache[str, str] = Cache(self._mask_template, Limits.TEMPLATES)
        self._template_of = self._template.__getitem__
        # type -> how an argument of that type is masked; other types are looked up once.
        self._by_type: dict[type, Callable[[Any], object]] = {
            str: self._text,
            bytes: self.masker.mask_text,
            int: _keep,
            float: _keep,
            bool: _keep,
            type(None): _keep,
            _Masked: _keep,
        }

    def _text(self, text: str) -> str:
        # Every address holds a "." or a ":"; most arguments hold neither and skip the engine.
        if "." in text or ":" in text:
            return self.masker.mask_text(text)
        return text

    def _mask_template(self, template: str) -> str:
        """Mask the literal text of a %-template, leaving each conversion as written."""
        # The pattern's group makes split() alternate: literal, conversion, literal, ...
        parts = _CONVERSION.split(template)
        parts[::2] = map(self._text, parts[::2])
        return "".join(parts)

    def _wrap(self, value: object) -> object:
        return _Masked(value, self._text)

    def _choose(self, kind: type) -> Callable[[Any], object]:
        """How arguments of a type not met before are masked; remembered per type."""
        if issubclass(kind, str):
            masker: Callable[[Any], object] = self._text
        elif issubclass(kind, bytes):
            masker = self.masker.mask_text
        elif issubclass(kind, numbers.Number) or hasattr(kind, "__index__"):
            masker = _keep
        else:
            masker = self._wrap
        self._by_type[kind] = masker
        return masker

    def _arg(self, value: object) -> object:
        """The masked stand-in for one argument (or dict value)."""
        kind = type(value)
        return (self._by_type.get(kind) or self._choose(kind))(value)

    def _mapping(self, mapping: Mapping[Any, object]) -> dict[Any, object]:
        return {key: self._arg(value) for key, value in mapping.items()}

    def _msg(self, msg: object, formatted: bool) -> object:
        if isinstance(msg, str):
            return self._template_of(msg) if formatted else self._text(msg)
        if isinstance(msg, Mapping):
            return self._mapping(msg)
        return msg if isinstance(msg, _Masked) else self._wrap(msg)

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask ``record`` (its arguments replaced by masked copies); always True."""
        args = record.args
        record.msg = self._msg(record.msg, bool(args))
        if isinstance(args, tuple):
            record.args = tuple(map(self._arg, args))
        elif isinstance(args, Mapping):
            record.args = self._mapping(args)
        if record.exc_info and not record.exc_text:
            record.exc_text = self._exceptions.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self._text(record.exc_text)
        if record.stack_info:
            record.stack_info = self._text(record.stack_info)
        return True
