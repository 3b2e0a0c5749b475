"""Line filters per log format: where addresses live in web, error, mail and syslog lines.

``get_filter(name, masker)`` returns a :class:`LineFilter` that masks blocks of whole lines.
Every filter falls back to the core's `any` rules for a line that does not fit its format, so
an address is never passed on in clear.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ipmask.errors import ConfigError
from ipmask.formats.base import AnyFilter, FilterStats, LineFilter
from ipmask.formats.detect import AutoFilter, detect_format
from ipmask.formats.errorlog import APACHE_ERROR, NGINX_ERROR
from ipmask.formats.syslog import HEADER, PostfixPairs, SessionIds
from ipmask.formats.templates import (
    APACHE_STOCK,
    NGINX_STOCK,
    Template,
    compile_apache,
    compile_nginx,
)
from ipmask.formats.text import Pass, TextFilter
from ipmask.formats.web import WebFilter
from ipmask.hostnames import HostnameMasker

if TYPE_CHECKING:
    from ipmask.core import Masker

__all__ = [
    "FORMAT_NAMES",
    "AutoFilter",
    "FilterStats",
    "LineFilter",
    "detect_format",
    "get_filter",
]


@dataclass(frozen=True)
class _Options:
    masker: Masker
    hostnames: bool  # host names standing alone too (names beside their address always)
    count: bool


def _names(options: _Options) -> HostnameMasker:
    return HostnameMasker(options.masker, standalone=options.hostnames)


def _any(options: _Options) -> LineFilter:
    return AnyFilter(options.masker, hostnames=_names(options), count=options.count)


def _web(name: str, template: Template) -> Callable[[_Options], LineFilter]:
    def make(options: _Options) -> LineFilter:
        mask_name = None
        if options.hostnames:
            mask_name = HostnameMasker(options.masker, standalone=True).mask_name
        return WebFilter(name, template, options.masker, mask_name=mask_name, count=options.count)

    return make


def _text(
    name: str, header: re.Pattern[bytes], *extras: Callable[[_Options], Pass]
) -> Callable[[_Options], LineFilter]:
    def make(options: _Options) -> LineFilter:
        return TextFilter(
            name,
            options.masker,
            header,
            names=_names(options),
            extras=[extra(options) for extra in extras],
            count=options.count,
        )

    return make


def _postfix_pairs(options: _Options) -> Pass:
    return PostfixPairs(HostnameMasker(options.masker, standalone=False))


def _sessions(options: _Options) -> Pass:
    return SessionIds(options.masker.policy)


#: name -> (factory, host names standing alone masked by default)
_FORMATS: dict[str, tuple[Callable[[_Options], LineFilter], bool]] = {
    "any": (_any, False),
    **{name: (_web(name, compile_apache(t)), True) for name, t in APACHE_STOCK.items()},
    "nginx": (_web("nginx", compile_nginx(NGINX_STOCK)), True),
    "apache-error": (_text("apache-error", APACHE_ERROR), False),
    "nginx-error": (_text("nginx-error", NGINX_ERROR), False),
    "postfix": (_text("postfix", HEADER, _postfix_pairs), True),
    "dovecot": (_text("dovecot", HEADER, _sessions), True),
    "syslog": (_text("syslog", HEADER), True),
}

#: Every name ``get_filter`` takes, ``auto`` last.
FORMAT_NAMES: tuple[str, ...] = (*_FORMATS, "auto")


def get_filter(
    name: str,
    masker: Masker,
    *,
    apache_format: str | None = None,
    nginx_format: str | None = None,
    hostnames: bool | None = None,
    count: bool = False,
) -> LineFilter:
    """Return a fresh filter for the format ``name`` (one of :data:`FORMAT_NAMES`).

    ``apache_format`` / ``nginx_format`` give a custom template instead (``name`` is then
    ``any``, the default). A host name standing beside its address is always masked where it
    spells it; ``hostnames`` overrides whether names standing alone are too (by default: yes
    for the web formats' ``%h`` and the mail and syslog formats, no for the others).
    ``count`` makes the filter keep :class:`FilterStats`. Raises ConfigError for an unknown
    name or a bad template.
    """
    if apache_format is not None or nginx_format is not None:
        return _custom(
            name,
            masker,
            apache_format=apache_format,
            nginx_format=nginx_format,
            hostnames=hostnames,
            count=count,
        )
    if name == "auto":
        return AutoFilter(
            lambda chosen: get_filter(chosen, masker, hostnames=hostnames, count=count)
        )
    entry = _FORMATS.get(name)
    if entry is None:
        raise ConfigError(f"unknown format {name!r}; choose one of: {', '.join(FORMAT_NAMES)}")
    factory, default = entry
    return factory(_Options(masker, default if hostnames is None else hostnames, count))


def _custom(
    name: str,
    masker: Masker,
    *,
    apache_format: str | None,
    nginx_format: str | None,
    hostnames: bool | None,
    count: bool,
) -> LineFilter:
    if apache_format is not None and nginx_format is not None:
        raise ConfigError("give either an Apache or an nginx format template, not both")
    if name != "any":
        raise ConfigError(
            f"a format template replaces the format name; leave the format at 'any', not {name!r}"
        )
    if apache_format is not None:
        family, template = "apache-format", compile_apache(apache_format)
    else:
        family, template = "nginx-format", compile_nginx(nginx_format or "")
    options = _Options(masker, True if hostnames is None else hostnames, count)
    return _web(family, template)(options)
