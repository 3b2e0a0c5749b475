"""Golden files: each format's filter on hand-written logs, checked byte for byte."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ipmask.core import Masker
from ipmask.formats import get_filter

GOLDEN = Path(__file__).parent / "golden"

APACHE_TEMPLATE = (
    r'%a %{c}a %l %u %t \"%r\" %>s %b \"%{X-Forwarded-For}i\" %{X-Real-IP}i %D '
    r'\"%{User-Agent}i\"'
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
    "apache-format": {"format": "any", "apache_format": APACHE_TEMPLATE},
    "nginx-format": {"format": "any", "nginx_format": NGINX_TEMPLATE},
    "apache-error": {"format": "apache-error"},
    "nginx-error": {"format": "nginx-error"},
    "postfix": {"format": "postfix"},
    "dovecot": {"format": "dovecot"},
    "syslog": {"format": "syslog"},
}
