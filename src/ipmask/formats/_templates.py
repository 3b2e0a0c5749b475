"""Apache ``LogFormat`` and nginx ``log_format`` templates, compiled to one line regex.

A template is read as a sequence of literal text and fields. Each field has a *role* (what
masking it gets) and a *shape* (what text it can hold, which decides its regex). The compiled
pattern matches one whole line with capture groups that cover the line without gaps: runs of
literal text and fields to leave alone form one group, each address field a group of its own.
``re.split`` over a block then yields, per line, the text between matches followed by the
groups, so an address column is a plain slice of the result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ipmask.errors import ConfigError

__all__ = [
    "ADDR",
    "APACHE_STOCK",
    "HOST",
    "KEEP",
    "LIST",
    "NGINX_STOCK",
    "Template",
    "compile_apache",
    "compile_nginx",
]

# Roles: what masking a field gets.
KEEP = "keep"  # left byte for byte
ADDR = "addr"  # one address (optionally [bracketed], with :port)
LIST = "list"  # a forwarded-for list: every entry an address
HOST = "host"  # an address, or a host name when the server resolves names

# Shapes: what a field's text can hold.
WORD = "word"  # no spaces (numbers, methods, ports, user names)
FREE = "free"  # anything on the line (request line, headers, time with spaces)
TIME = "time"  # the Common Log Format's local time: "10/Oct/2000:13:55:36 -0700"

# Apache (mod_log_config) escapes '"' and '\' with a backslash, nginx writes \x22 and \x5C;
# either way a quoted field holds no raw quote and a backslash starts a two-byte escape.
_QUOTED = r'[^"\\\n]*(?:\\.[^"\\\n]*)*'
_WORD = r"[^ \n]*"
# A forwarded-for list outside quotes: entries without spaces, joined by "," and blanks.
_LIST = r"[^ ,\n]*(?:,[ \t]*[^ ,\n]*)*"
_LAZY = r"[^\n]*?"
_TIME = r"[0-9]{2}/[A-Za-z]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}"

#: Debian's apache2.conf LogFormats, and nginx's built-in "combined".
APACHE_STOCK = {
    "common": '%h %l %u %t "%r" %>s %O',
    "combined": '%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
    "vhost_combined": '%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"',
}
NGINX_STOCK = (
    '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent '
    '"$http_referer" "$http_user_agent"'
)


@dataclass(frozen=True)
class Field:
    """One directive or variable of a template."""

    role: str
    shape: str


#: (role, regex, field) per template item; literal text has role KEEP and no field.
Pieces = list[tuple[str, str, "Field | None"]]


@dataclass(frozen=True)
class Template:
    """A compiled template.

    ``line`` matches one line (without its newline). ``exact`` splits a block at every line
    break followed by a fitting line, into its groups (``roles``, one per group; the first
    starts with the line break). ``fast``, when the template allows it, splits a block at every
    line break into the groups up to the last address field (``fast_roles``): a break that
    follows '"' and is followed by a line whose beginning fits yields the line's values, any
    other break a first group holding the break alone (see ``_fast``). The rest of the line
    is the caller's to check, with ``quotes``, the number of '"' the template's own text puts
    on each line.
    """

    line: re.Pattern[bytes]
    exact: re.Pattern[bytes]
    roles: tuple[str, ...]
    fast: re.Pattern[bytes] | None
    fast_roles: tuple[str, ...] | None
    quotes: int


# -- Apache -----------------------------------------------------------------------------

# %[conditions][<>]{param}X, with the two-letter ^ti/^to (trailers); "%%" is a literal "%".
_APACHE_DIRECTIVE = re.compile(r"%(?:!?[0-9]{3}(?:,[0-9]{3})*)?[<>]?(?:\{([^}]*)\})?(\^t[io]|.)?")

#: directive letter -> (role, shape); every letter mod_log_config knows.
_APACHE_LETTERS: dict[str, tuple[str, str]] = {
    "a": (ADDR, WORD),
    "h": (HOST, WORD),
    "A": (KEEP, WORD),
    "b": (KEEP, WORD),
    "B": (KEEP, WORD),
    "C": (KEEP, FREE),
    "D": (KEEP, WORD),
    "e": (KEEP, FREE),
    "f": (KEEP, FREE),
    "H": (KEEP, WORD),
    "i": (KEEP, FREE),
    "I": (KEEP, WORD),
    "k": (KEEP, WORD),
    "l": (KEEP, WORD),
    "L": (KEEP, WORD),
    "m": (KEEP, WORD),
    "n": (KEEP, FREE),
    "o": (KEEP, FREE),
    "O": (KEEP, WORD),
    "p": (KEEP, WORD),
    "P": (KEEP, WORD),
    "q": (KEEP, WORD),
    "r": (KEEP, FREE),
    "R": (KEEP, WORD),
    "s": (KEEP, WORD),
    "S": (KEEP, WORD),
    "t": (KEEP, TIME),
    "T": (KEEP, WORD),
    # A user name may hold a space; read as a token all the same, so that a line cannot be
    # re-aligned around one (such a rare line takes the `any` rules instead).
    "u": (KEEP, WORD),
    "U": (KEEP, FREE),
    "v": (KEEP, WORD),
    "V": (KEEP, WORD),
    "X": (KEEP, WORD),
    "^ti": (KEEP, FREE),
    "^to": (KEEP, FREE),
}

#: request headers (lower case) that carry client addresses
_APACHE_HEADERS = {"x-forwarded-for": (LIST, FREE), "x-real-ip": (ADDR, FREE)}

# %{sec}t and friends print a number; any other %{format}t is strftime text that may hold spaces.
_NUMERIC_TIME = re.compile(r"(?:begin:|end:)?(?:sec|msec|usec|msec_frac|usec_frac)")


def _apache_field(param: str | None, letter: str) -> Field:
    if letter == "i" and param is not None:
        role, shape = _APACHE_HEADERS.get(param.strip().lower(), (KEEP, FREE))
        return Field(role, shape)
    if letter == "t" and param is not None:
        return Field(KEEP, WORD if _NUMERIC_TIME.fullmatch(param) else FREE)
    role, shape = _APACHE_LETTERS[letter]
    return Field(role, shape)


def _unescape_apache(text: str) -> str:
    # A template copied from apache2.conf keeps the config file's escapes: \" \\ \t \n.
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n"}.get(m[1], m[1]), text)


def _apache_items(source: str) -> Iterator[str | Field]:
    text = _unescape_apache(source)
    pos = 0
    for match in _APACHE_DIRECTIVE.finditer(text):
        if match.start() > pos:
            yield text[pos : match.start()]
        pos = match.end()
        param, letter = match.groups()
        if letter == "%":
            yield "%"
        elif letter is None or letter not in _APACHE_LETTERS:
            raise ConfigError(
                f"unknown directive {match[0]!r} in {source!r}; "
                f"allowed: %{' %'.join(sorted(_APACHE_LETTERS))} (with optional {{param}})",
                setting="apache_format",
            )
        elif letter == "t" and param is None:
            # %t writes its own brackets.
            yield from ("[", Field(KEEP, TIME), "]")
        else:
            yield _apache_field(param, letter)
    if pos < len(text):
        yield text[pos:]


# -- nginx ------------------------------------------------------------------------------

_NGINX_VARIABLE = re.compile(r"\$(?:\{([A-Za-z0-9_]*)\}|([A-Za-z0-9_]*))")

_NGINX_ADDRESS: dict[str, tuple[str, str]] = {
    "remote_addr": (ADDR, WORD),
    "realip_remote_addr": (ADDR, WORD),
    "http_x_real_ip": (ADDR, FREE),
    "http_x_forwarded_for": (LIST, FREE),
    "proxy_add_x_forwarded_for": (LIST, FREE),
}

#: nginx variables that never hold a space; every other variable (there are hundreds, from
#: many modules) is read as free text, which is always safe, only slower.
_NGINX_WORDS = frozenset(
    (
        "args", "binary_remote_addr", "body_bytes_sent", "bytes_sent", "connection",
        "connection_requests", "content_length", "document_uri", "gzip_ratio", "host",
        "hostname", "https", "is_args", "msec", "nginx_version", "pid", "pipe", "query_string",
        "realip_remote_port", "remote_port", "remote_user", "request_completion", "request_id",
        "request_length", "request_method", "request_time", "request_uri", "scheme",
        "server_addr", "server_name", "server_port", "server_protocol", "status",
        "time_iso8601", "upstream_cache_status",
    )
)  # fmt: skip


def _nginx_field(name: str) -> Field:
    name = name.lower()
    if name == "time_local":
        return Field(KEEP, TIME)
    if name in _NGINX_ADDRESS:
        role, shape = _NGINX_ADDRESS[name]
        return Field(role, shape)
    return Field(KEEP, WORD if name in _NGINX_WORDS else FREE)


def _nginx_items(source: str) -> Iterator[str | Field]:
    pos = 0
    for match in _NGINX_VARIABLE.finditer(source):
        name = match[1] if match[1] is not None else match[2]
        if not name:
            raise ConfigError(
                f"'$' without a variable name at offset {match.start()} in "
                f"{source!r}; write $name or ${{name}}",
                setting="nginx_format",
            )
        if match.start() > pos:
            yield source[pos : match.start()]
        pos = match.end()
        yield _nginx_field(name)
    if pos < len(source):
        yield source[pos:]


# -- compiling --------------------------------------------------------------------------


def _field_pattern(field: Field, before: str, after: str) -> str:
    """The regex for a field's text, given the literal text on either side of it."""
    if before.endswith('"') and after.startswith('"'):
        return _QUOTED
    if field.shape == TIME:
        return _TIME
    if field.role == LIST:
        return _LIST
    if field.shape == WORD or field.role != KEEP:
        # Greedy, so that an address followed by ":" gives back only the port.
        return _WORD
    return _LAZY


def _pieces(items: list[str | Field]) -> Pieces:
    """(role, regex, field) per template item; literal text has role KEEP and no field."""
    out: list[tuple[str, str, Field | None]] = []
    for index, item in enumerate(items):
        if isinstance(item, str):
            out.append((KEEP, re.escape(item), None))
            continue
        prev = items[index - 1] if index else ""
        nxt = items[index + 1] if index + 1 < len(items) else ""
        before = prev if isinstance(prev, str) else ""
        after = nxt if isinstance(nxt, str) else ""
        out.append((item.role, _field_pattern(item, before, after), item))
    return out


def _groups(pieces: Pieces) -> list[tuple[str, str]]:
    """Merge runs of pieces to keep into one group; each address field is a group."""
    groups: list[tuple[str, str]] = []
    for role, regex, _ in pieces:
        if role == KEEP and groups and groups[-1][0] == KEEP:
            groups[-1] = (KEEP, groups[-1][1] + regex)
        else:
            groups.append((role, regex))
    return groups


# The local time is always 26 characters; a fixed width is what lets the fast check run quickly.
_FAST_TIME = r".{26}"
# Behind a line break: the line before it ends in '"'.
_AFTER_QUOTE = r'(?<="\n)'


def _fast(pieces: Pieces) -> tuple[str, tuple[str, ...]] | None:
    """The fast split for a template that ends in '"' and has free text after its addresses.

    The pattern matches at every line break. When the line before ends in '"' and the line
    after starts like the template (up to its first free-text field, checked by a lookahead),
    the groups through the last address field are captured, the first starting with the
    break. At any other break the first group holds the break alone and the others are empty,
    so a block's lines are counted and checked by the split itself.
    """
    last = max(i for i, (role, _, _) in enumerate(pieces) if role != KEEP)
    if pieces[-1][2] is not None or not pieces[-1][1].endswith('"'):
        return None
    rest = pieces[last + 1 :]
    free = next((i for i, (_, regex, _) in enumerate(rest) if regex in (_QUOTED, _LAZY)), None)
    if free is None:
        return None
    groups = _groups(pieces[: last + 1])
    ahead = "".join(_FAST_TIME if regex == _TIME else regex for _, regex, _ in rest[:free])
    # "\n" first so that the engine skips to line breaks quickly. The groups after the first
    # may be empty only right after the break, so that a line that does not fit cannot leave
    # some of its fields out instead. (A fitting line whose first group is empty looks like
    # one that does not fit, and its block takes the exact way.)
    regexes = [regex for _, regex in groups]
    regexes[-1] += f"(?={ahead})"
    head = f"(\\n(?:{_AFTER_QUOTE}{regexes[0]}|))"
    tail = "".join(f"((?<!\\n){regex}|(?<=\\n))" for regex in regexes[1:])
    return head + tail, tuple(role for role, _ in groups)


def _compile(source: str, items: list[str | Field], family: str) -> Template:
    if not any(isinstance(item, Field) and item.role != KEEP for item in items):
        raise ConfigError(
            f"{source!r} has no client address field; "
            + (
                "use %h, %a, %{c}a, %{X-Forwarded-For}i or %{X-Real-IP}i"
                if family == "apache"
                else "use $remote_addr, $realip_remote_addr, $http_x_forwarded_for, "
                "$proxy_add_x_forwarded_for or $http_x_real_ip"
            ),
            setting=f"{family}_format",
        )
    if any(isinstance(item, str) and ("\n" in item or "\r" in item) for item in items):
        raise ConfigError(
            f"{source!r} spans lines; give a one-line template", setting=f"{family}_format"
        )
    pieces = _pieces(items)
    groups = _groups(pieces)
    line = "".join(f"(?:{regex})" for _, regex in groups) + r"\r?"
    # The exact split starts each line at its "\n" (the block is given a leading "\n"), which
    # lets the engine skip to candidate lines quickly; a CRLF line's "\r" goes in a kept group.
    exact = [regex for _, regex in groups]
    roles = [role for role, _ in groups]
    if roles[-1] == KEEP:
        exact[-1] += r"\r?"
    else:
        exact.append(r"\r?")
        roles.append(KEEP)
    exact[0] = r"\n" + exact[0]
    fast = _fast(pieces)
    return Template(
        line=_bytes_re(line),
        exact=_bytes_re("".join(f"({regex})" for regex in exact) + r"(?=\n|\Z)"),
        roles=tuple(roles),
        fast=None if fast is None else _bytes_re(fast[0]),
        fast_roles=None if fast is None else fast[1],
        quotes=sum(item.count('"') for item in items if isinstance(item, str)),
    )


def _bytes_re(regex: str) -> re.Pattern[bytes]:
    return re.compile(regex.encode("utf-8", "surrogateescape"))


def compile_apache(source: str) -> Template:
    """Compile an Apache ``LogFormat`` string; ConfigError if a directive is unknown."""
    return _compile(source, list(_apache_items(source)), "apache")


def compile_nginx(source: str) -> Template:
    """Compile an nginx ``log_format`` string; ConfigError if a variable is malformed."""
    return _compile(source, list(_nginx_items(source)), "nginx")
