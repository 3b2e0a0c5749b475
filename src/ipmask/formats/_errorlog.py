"""Apache's and nginx's error logs: where their lines start.

Both are masked by the `any` rules in full; the header only decides which lines fit.
The client field needs nothing more: Apache 2.4 writes ``[client 2001:db8::1:51234]`` and
nginx ``client: 203.0.113.5``, which the `any` rules read as address (and port) already.
"""

from __future__ import annotations

import re

__all__ = ["APACHE_ERROR", "NGINX_ERROR"]

_DAY = r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)"
_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"

#: "[Wed Oct 11 14:32:52.123456 2000] " (2.4; 2.2 has no fraction), then an empty HOSTNAME.
APACHE_ERROR = re.compile(
    (
        rf"(\n\[{_DAY} {_MONTH} [ 0-9][0-9] [0-9]{{2}}:[0-9]{{2}}:[0-9]{{2}}(?:\.[0-9]{{1,6}})?"
        r" [0-9]{4}\] )()"
    ).encode("ascii")
)

#: "2024/01/02 03:04:05 [error] ", then an empty HOSTNAME.
NGINX_ERROR = re.compile(
    (
        r"(\n[0-9]{4}/[0-9]{2}/[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2} "
        r"\[(?:debug|info|notice|warn|error|crit|alert|emerg)\] )()"
    ).encode("ascii")
)
