"""The formats by name, and ``get_filter``: the one place where filters are put together.

Every filter of one input shares one :class:`~ipmask.formats._base.Shared`: one host-name
masker (names standing alone as the format says), and one `any` filter on it, which the format
uses for lines that do not fit it and the block loop for everything a format cannot take. That
fallback is exactly ``--format any`` with the same settings: a line that fits no format is
masked the same whatever format was asked for.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from ipmask.errors import ConfigError
from ipmask.formats._base import AnyFilter, Counts, LineFilter, Shared
from ipmask.formats._detect import AutoFilter
from ipmask.formats._errorlog import APACHE_ERROR, NGINX_ERROR
from ipmask.formats._syslog import HEADER, PostfixPairs, SessionIds
from ipmask.formats._templates import (
    APACHE_STOCK,
    NGINX_STOCK,
    Template,
    compile_apache,
    compile_nginx,
)
from ipmask.formats._text import Pass, TextFilter
from ipmask.formats._web import WebFilter
from ipmask.masking import Masker, Options, Settings
from ipmask.masking.hostnames import HostnameMasker

if TYPE_CHECKING:
    from typing_extensions import Unpack

__all__ = ["FORMAT_NAMES", "get_filter"]

Factory = Callable[[Shared], LineFilter]


def _any(shared: Shared) -> LineFilter:
    return shared.fallback


def _web(name: str, template: Template) -> Factory:
    return lambda shared: WebFilter(name, template, shared)


def _text(name: str, header: re.Pattern[bytes], *extras: Callable[[Shared], Pass]) -> Factory:
    return lambda shared: TextFilter(name, shared, header, [extra(shared) for extra in extras])


def _postfix_pairs(shared: Shared) -> Pass:
    return PostfixPairs(shared.names)


def _sessions(shared: Shared) -> Pass:
    return SessionIds(shared.masker.policy)


#: name -> (factory, whether host names standing alone are masked by default)
_FORMATS: dict[str, tuple[Factory, bool]] = {
    "any": (_any, False),
    **{name: (_web(name, compile_apache(t)), True) for name, t in APACHE_STOCK.items()},
    "nginx": (_web("nginx", compile_nginx(NGINX_STOCK)), True),
    "apache-error": (_text("apache-error", APACHE_ERROR), False),
    "nginx-error": (_text("nginx-error", NGINX_ERROR), False),
    "postfix": (_text("postfix", HEADER, _postfix_pairs), True),
    "dovecot": (_text("dovecot", HEADER, _sessions), True),
    "syslog": (_text("syslog", HEADER), True),
}

#: Every format name ``get_filter`` takes, ``auto`` last.
FORMAT_NAMES: tuple[str, ...] = (*_FORMATS, "auto")


def _shared(settings: Settings, masker: Masker, standalone: bool, counts: Counts | None) -> Shared:
    """``standalone``: the format's choice for names alone; the fallback makes the choice of
    ``any`` (only when asked to, by ``settings.hostnames``)."""
    names = HostnameMasker(masker, standalone=standalone)
    fallback = AnyFilter(masker, names, counts, alone=bool(settings.hostnames))
    return Shared(masker, names, counts, fallback)


def get_filter(
    settings: Settings | None = None,
    masker: Masker | None = None,
    *,
    counts: Counts | None = None,
    **options: Unpack[Options],
) -> LineFilter:
    """Return a fresh filter for ``settings.format`` (one of :data:`FORMAT_NAMES`).

    ``options`` are :class:`~ipmask.Settings` fields, applied to ``settings`` (or to the
    defaults): ``get_filter(format="combined")``. ``settings.apache_format`` or
    ``nginx_format`` gives a custom template instead (the format is then left at ``any``). A
    host name standing beside its address is always masked where it spells it;
    ``settings.hostnames`` says whether names standing alone are too (None: yes for the web
    formats' ``%h`` and the mail and syslog formats, no for the others). ``masker`` shares
    its caches (made from ``settings`` when not given); ``counts``, when given, is what the
    filter adds its counts to. Raises ConfigError for an unknown format or a bad template.
    """
    if settings is None:
        settings = Settings(**options)
    elif options:
        settings = settings.replace(**options)
    if masker is None:
        masker = Masker(settings)
    elif masker.policy != settings.policy:
        raise ConfigError("the masker given was made with other masking settings")
    name = settings.format
    if settings.apache_format is not None or settings.nginx_format is not None:
        family, template = _template(settings)
        standalone = True if settings.hostnames is None else settings.hostnames
        return WebFilter(family, template, _shared(settings, masker, standalone, counts))
    if name == "auto":
        first = _shared(settings, masker, bool(settings.hostnames), counts).fallback
        return AutoFilter(
            lambda chosen: get_filter(settings.replace(format=chosen), masker, counts=counts),
            first,
        )
    entry = _FORMATS.get(name)
    if entry is None:
        raise ConfigError(
            f"{name!r} is unknown; choose one of: {', '.join(FORMAT_NAMES)}", setting="format"
        )
    factory, default = entry
    standalone = default if settings.hostnames is None else settings.hostnames
    return factory(_shared(settings, masker, standalone, counts))


def _template(settings: Settings) -> tuple[str, Template]:
    """The custom template's family name and compiled form; ConfigError if it cannot be."""
    if settings.apache_format is not None and settings.nginx_format is not None:
        raise ConfigError("give either an Apache or an nginx format template, not both")
    if settings.format != "any":
        raise ConfigError(
            f"a format template replaces the format name; leave the format at 'any', not "
            f"{settings.format!r}",
            setting="format",
        )
    if settings.apache_format is not None:
        return "apache-format", compile_apache(settings.apache_format)
    return "nginx-format", compile_nginx(settings.nginx_format or "")
