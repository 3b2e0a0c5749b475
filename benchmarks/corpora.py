"""Deterministic, seeded log corpora for the benchmarks.

Every generator is a pure function of ``(seed, number of lines)``: the same call writes the same
bytes on every machine and Python version (only ``random.Random.random`` and integer arithmetic
are used, both stable across versions), so timings from different runs measure the same work.

Client addresses repeat the way real logs repeat them: a few clients (monitoring, crawlers, busy
offices) make many requests and a long tail makes one or two.  Ranks are drawn from a Pareto tail
(a Zipf law with exponent ~1.37), which gives 67,963 distinct clients in 1,000,000 lines and
keeps finding new ones as the log grows (365,245 in 10,000,000 lines), like a real log and
unlike a fixed pool. A rank always maps to the same address; 14.9 % of the lines have an IPv6
client, 1.9 % an IPv4-mapped one.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from pathlib import Path

#: Version of the corpus text; bump it when a generator changes so cached files are rebuilt.
CORPUS_VERSION = 1

#: Pareto tail index and scale for client ranks; see the module docstring.
_TAIL = 0.37
_SCALE = 8.0

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

#: Providers' IPv6 prefixes (first two or three groups), as seen in European hosting logs.
_V6_PREFIXES = (
    "2a01:4f8",
    "2a01:4f9",
    "2003:e0",
    "2003:c6",
    "2a02:810d",
    "2a02:8109",
    "2001:16b8",
    "2a00:20",
    "2a02:908",
    "2600:1700",
    "2a01:598",
    "2001:4860",
)

_USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "curl/8.4.0",
    "Wget/1.21.4",
    "python-requests/2.31.0",
    "-",
)
#: Relative frequency of each user agent above (browsers first, then bots and tools).
_UA_WEIGHTS = (30, 12, 4, 8, 2, 14, 10, 6, 4, 3, 2, 1, 1, 2, 1)

_PATHS = (
    "/",
    "/index.php",
    "/wp-login.php",
    "/wp-admin/admin-ajax.php",
    "/xmlrpc.php",
    "/robots.txt",
    "/favicon.ico",
    "/sitemap.xml",
    "/feed/",
    "/css/style.min.css?ver=6.4.1",
    "/js/app.bundle.js?v=20231120",
    "/images/logo.svg",
    "/images/hero-1920x1080.webp",
    "/api/v1/status",
    "/api/v2/orders?page=2&per_page=50",
    "/blog/2023/11/ipv6-everywhere/",
    "/kontakt/",
    "/impressum/",
    "/datenschutz/",
    "/shop/product/4711?ref=newsletter",
    "/search?q=server+hosting&lang=de",
    "/.well-known/acme-challenge/Yx3kP9qL2mZ8vB7nC4dF",
    "/.env",
    "/cgi-bin/luci/;stok=/locale?form=country",
)
_PATH_WEIGHTS = (20, 8, 4, 6, 2, 2, 6, 1, 2, 10, 10, 8, 5, 3, 3, 3, 1, 1, 1, 2, 2, 1, 1, 1)

_REFERERS = (
    "-",
    "https://www.example.com/",
    "https://www.example.com/blog/",
    "https://www.google.com/",
    "https://www.bing.com/search?q=hosting",
    "https://duckduckgo.com/",
    "https://t.co/abc123XYZ",
)
_REFERER_WEIGHTS = (40, 25, 10, 12, 3, 3, 1)

_STATUS = ((200, 70), (304, 10), (301, 4), (302, 3), (404, 9), (403, 1), (500, 1), (206, 2))

_DOMAINS = ("example.com", "example.net", "example.org", "mail.example.de", "kunde.example.de")
_USERS = ("anna", "bernd", "claudia", "dieter", "eva", "frank", "info", "kontakt", "office")
_HEX = "0123456789abcdef"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

#: The mail server's own addresses (Postfix's and Dovecot's local side).
_LOCAL4 = "78.46.198.140"
_LOCAL6 = "2a01:4f8:1c17:413b::1"


def _cumulative(weights: tuple[int, ...]) -> tuple[float, ...]:
    total = float(sum(weights))
    acc = 0.0
    out = []
    for w in weights:
        acc += w
        out.append(acc / total)
    return tuple(out)


class _Picker:
    """Weighted choice from a fixed table, drawn from the generator's own random stream."""

    def __init__(self, items: tuple[str, ...], weights: tuple[int, ...]) -> None:
        assert len(items) == len(weights)
        self._items = items
        self._cum = _cumulative(weights)

    def __call__(self, u: float) -> str:
        for item, edge in zip(self._items, self._cum, strict=True):
            if u < edge:
                return item
        return self._items[-1]


def _mix(value: int) -> int:
    """A fixed 64-bit integer hash (splitmix64's finaliser), so rank -> address is stable."""
    value = (value + 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return value ^ (value >> 31)


def client_address(rank: int, salt: int, *, v6_percent: int = 16, mapped_percent: int = 3) -> str:
    """The address of the client with this popularity rank: IPv4, IPv6 or IPv4-mapped IPv6."""
    h = _mix(rank * 1_000_003 + salt)
    # Golden-ratio steps spread the families evenly over the ranks, so that the share of
    # *lines* (dominated by the top ranks) matches the share of clients.
    kind = int(((rank + salt) * 0.6180339887498949) % 1.0 * 100)
    a, b, c, d = (h >> 8) & 0xFF, (h >> 16) & 0xFF, (h >> 24) & 0xFF, (h >> 32) & 0xFF
    # Keep the first octet in the public unicast range a log mostly sees.
    a = 2 + a % 221
    if a in (10, 127):
        a += 1
    if kind < mapped_percent:
        return f"::ffff:{a}.{b}.{c}.{d}"
    if kind < v6_percent:
        prefix = _V6_PREFIXES[(h >> 40) % len(_V6_PREFIXES)]
        g = _mix(h)
        groups = [f"{(g >> s) & 0xFFFF:x}" for s in (0, 16, 32, 48)]
        shape = (h >> 44) % 4
        if shape == 0:  # an SLAAC-style interface id, all groups written
            tail = [f"{(h >> s) & 0xFFFF:x}" for s in (0, 16, 32, 48)]
            return ":".join([prefix, *groups[: 3 - prefix.count(":")], *tail])
        if shape == 1:  # a server: the subnet, then ::1 or ::N
            return f"{prefix}:{groups[0]}:{groups[1]}::{(g >> 60) + 1:x}"
        # privacy addresses: a random interface id, usually with a zero run compressed
        return f"{prefix}:{groups[0]}::{groups[2]}:{groups[3]}"
    return f"{a}.{b}.{c}.{d}"


class _Clients:
    """Popularity-ranked clients: ``draw()`` returns the next line's client address."""

    def __init__(self, rng: random.Random, salt: int, *, v6_percent: int = 16) -> None:
        self._random = rng.random
        self._salt = salt
        self._v6 = v6_percent
        self._inv = -1.0 / _TAIL
        self._cache: dict[int, str] = {}

    def draw(self) -> str:
        rank = int(_SCALE * ((1.0 - self._random()) ** self._inv - 1.0))
        addr = self._cache.get(rank)
        if addr is None:
            addr = client_address(rank, self._salt, v6_percent=self._v6)
            # Bounded, so that generating 10,000,000 lines stays small too.
            if len(self._cache) < 200_000:
                self._cache[rank] = addr
        return addr


class _Clock:
    """Monotonic log time from 2025-11-22 00:00:00, formatted once per second."""

    def __init__(self, rng: random.Random, lines_per_second: float) -> None:
        self._random = rng.random
        self._step = 1.0 / lines_per_second
        self._t = 0.0
        self._second = -1
        self._text = ("", "")

    def tick(self) -> tuple[str, str]:
        """Advance; return (Apache ``[dd/Mon/yyyy:hh:mm:ss +0100]``, syslog ``Mon dd hh:mm:ss``)."""
        self._t += self._step * 2.0 * self._random()
        second = int(self._t)
        if second != self._second:
            self._second = second
            day = 22 + second // 86400
            hh, rest = divmod(second % 86400, 3600)
            mm, ss = divmod(rest, 60)
            month = _MONTHS[10 + (day - 1) // 30]
            day = (day - 1) % 30 + 1
            self._text = (
                f"[{day:02d}/{month}/2025:{hh:02d}:{mm:02d}:{ss:02d} +0100]",
                f"{month} {day:2d} {hh:02d}:{mm:02d}:{ss:02d}",
            )
        return self._text


def _token(rng: random.Random, alphabet: str, length: int) -> str:
    r = rng.random
    n = len(alphabet)
    return "".join(alphabet[int(r() * n)] for _ in range(length))


def apache_combined(lines: int, seed: int = 1) -> Iterator[str]:
    """Apache ``combined`` lines (``%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-agent}i"``)."""
    rng = random.Random(seed)
    r = rng.random
    clients = _Clients(rng, salt=seed)
    clock = _Clock(rng, lines_per_second=40.0)
    ua = _Picker(_USER_AGENTS, _UA_WEIGHTS)
    path = _Picker(_PATHS, _PATH_WEIGHTS)
    referer = _Picker(_REFERERS, _REFERER_WEIGHTS)
    status = _Picker(tuple(str(s) for s, _ in _STATUS), tuple(w for _, w in _STATUS))
    for _ in range(lines):
        when, _syslog = clock.tick()
        u = r()
        method = "GET" if u < 0.86 else ("POST" if u < 0.97 else "HEAD")
        proto = "HTTP/2.0" if r() < 0.55 else "HTTP/1.1"
        code = status(r())
        size = "-" if code in ("304", "301", "302") else str(int(200 + r() * r() * 250_000))
        user = "-" if r() < 0.98 else "kunde"
        yield (
            f'{clients.draw()} - {user} {when} "{method} {path(r())} {proto}" {code} {size} '
            f'"{referer(r())}" "{ua(r())}"\n'
        )


def apache_common(lines: int, seed: int = 1) -> Iterator[str]:
    """Apache ``common`` lines: ``combined`` without referrer and user agent."""
    for line in apache_combined(lines, seed):
        yield line[: line.rindex(' "', 0, line.rindex('" "'))] + "\n"


def apache_vhost_combined(lines: int, seed: int = 1) -> Iterator[str]:
    """Apache ``vhost_combined`` lines: ``%v:%p`` before the ``combined`` fields."""
    vhosts = ("www.example.com:443", "example.com:80", "shop.example.de:443", "api.example.net:443")
    for i, line in enumerate(apache_combined(lines, seed)):
        yield f"{vhosts[_mix(i) % len(vhosts)]} {line}"


def nginx_combined(lines: int, seed: int = 1) -> Iterator[str]:
    """nginx's stock ``combined`` (same fields as Apache's; ``-`` sizes are ``0``)."""
    for line in apache_combined(lines, seed):
        yield line.replace('" 304 - "', '" 304 0 "').replace('" 301 - "', '" 301 0 "')


def apache_error(lines: int, seed: int = 1) -> Iterator[str]:
    """Apache 2.4 error log lines, with ``[client addr:port]``."""
    rng = random.Random(seed)
    r = rng.random
    clients = _Clients(rng, salt=seed + 11)
    clock = _Clock(rng, lines_per_second=2.0)
    messages = (
        "AH01630: client denied by server configuration: /var/www/html/.env",
        "AH01276: Cannot serve directory /var/www/html/icons/: No matching DirectoryIndex",
        "AH00128: File does not exist: /var/www/html/wp-login.php",
        "AH01797: client denied by server configuration: /var/www/html/server-status",
        'PHP Warning:  Undefined array key "page" in /var/www/html/index.php on line 42',
    )
    for _ in range(lines):
        _when, syslog = clock.tick()
        addr = clients.draw()
        client = f"[{addr}]" if ":" in addr else addr
        pid = 1000 + int(r() * 30000)
        yield (
            f"[Sat Nov 22 {syslog[7:]}.{int(r() * 1e6):06d} 2025] [core:error] [pid {pid}:tid "
            f"{140000000000000 + int(r() * 1e9)}] [client {client}:{1024 + int(r() * 64000)}] "
            f"{messages[int(r() * len(messages))]}\n"
        )


def nginx_error(lines: int, seed: int = 1) -> Iterator[str]:
    """nginx error log lines, with ``client: addr, server: ...``."""
    rng = random.Random(seed)
    r = rng.random
    clients = _Clients(rng, salt=seed + 13)
    clock = _Clock(rng, lines_per_second=2.0)
    messages = (
        'open() "/var/www/html/.env" failed (2: No such file or directory)',
        'limiting requests, excess: 10.520 by zone "one"',
        "upstream timed out (110: Connection timed out) while reading response header",
        "access forbidden by rule",
    )
    for _ in range(lines):
        _when, syslog = clock.tick()
        pid = 1000 + int(r() * 30000)
        yield (
            f"2025/11/22 {syslog[7:]} [error] {pid}#{pid}: *{int(r() * 1e6)} "
            f"{messages[int(r() * len(messages))]}, client: {clients.draw()}, server: "
            f'example.com, request: "GET /index.php HTTP/1.1", host: "www.example.com"\n'
        )


class _Mail:
    """Postfix and Dovecot lines as rsyslog writes them (RFC 3164 timestamps)."""

    def __init__(self, seed: int, *, postfix: float, dovecot: float) -> None:
        self.rng = rng = random.Random(seed)
        self.r = rng.random
        self.clients = _Clients(rng, salt=seed + 7)
        self.relays = _Clients(rng, salt=seed + 9, v6_percent=20)
        self.clock = _Clock(rng, lines_per_second=15.0)
        self.share = (postfix, postfix + dovecot)
        self.host = "mx1"

    def pid(self) -> int:
        return 1000 + int(self.r() * 60000)

    def qid(self) -> str:
        return _token(self.rng, "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz", 12)

    def mailbox(self) -> str:
        r = self.r
        return f"{_USERS[int(r() * len(_USERS))]}@{_DOMAINS[int(r() * len(_DOMAINS))]}"

    def rdns(self, addr: str) -> str:
        if self.r() < 0.35:
            return "unknown"
        tail = addr.replace(".", "-").replace(":", "-")
        return f"{tail}.dyn.example.net" if self.r() < 0.3 else "mail.example.org"

    def postfix(self, when: str) -> str:  # noqa: PLR0911 - one branch per log shape
        r = self.r
        addr = self.clients.draw()
        pid = self.pid()
        head = f"{when} {self.host} postfix"
        u = r()
        if u < 0.12:
            port = 1024 + int(r() * 64000)
            local = _LOCAL6 if ":" in addr else _LOCAL4
            return f"{head}/postscreen[{pid}]: CONNECT from [{addr}]:{port} to [{local}]:25\n"
        if u < 0.2:
            return f"{head}/postscreen[{pid}]: PASS OLD [{addr}]:{1024 + int(r() * 64000)}\n"
        if u < 0.32:
            return f"{head}/smtpd[{pid}]: connect from {self.rdns(addr)}[{addr}]\n"
        if u < 0.42:
            return f"{head}/smtpd[{pid}]: {self.qid()}: client={self.rdns(addr)}[{addr}]\n"
        if u < 0.54:
            return (
                f"{head}/smtpd[{pid}]: disconnect from {self.rdns(addr)}[{addr}] ehlo=2 "
                "starttls=1 mail=1 rcpt=1 data=1 quit=1 commands=7\n"
            )
        if u < 0.6:
            helo = f"[IPv6:{addr}]" if ":" in addr and r() < 0.5 else "localhost"
            return (
                f"{head}/smtpd[{pid}]: NOQUEUE: reject: RCPT from unknown[{addr}]: 554 5.7.1 "
                f"<{self.mailbox()}>: Relay access denied; from=<{self.mailbox()}> "
                f"to=<{self.mailbox()}> proto=ESMTP helo=<{helo}>\n"
            )
        if u < 0.66:
            return (
                f"{head}/cleanup[{pid}]: {self.qid()}: message-id=<"
                f"{_token(self.rng, _HEX, 16)}.{_token(self.rng, _HEX, 8)}@example.com>\n"
            )
        if u < 0.74:
            return (
                f"{head}/qmgr[{pid}]: {self.qid()}: from=<{self.mailbox()}>, "
                f"size={int(800 + r() * 90000)}, nrcpt=1 (queue active)\n"
            )
        if u < 0.82:
            relay = self.relays.draw()
            d1, d2 = r() * 0.5, r() * 2.0
            return (
                f"{head}/smtp[{pid}]: {self.qid()}: to=<{self.mailbox()}>, relay=mx.example.net"
                f"[{relay}]:25, delay={d1 + d2:.2f}, delays={d1:.2f}/0/{d2 / 2:.2f}/{d2 / 2:.2f}"
                f", dsn=2.0.0, status=sent (250 2.0.0 OK  1700611200 "
                f"{_token(self.rng, _B64[:62], 12)}.{int(r() * 999)} - gsmtp)\n"
            )
        if u < 0.87:
            return f"{head}/qmgr[{pid}]: {self.qid()}: removed\n"
        if u < 0.92:
            return f"{head}/smtpd[{pid}]: lost connection after AUTH from unknown[{addr}]\n"
        if u < 0.97:
            return (
                f"{head}/smtpd[{pid}]: warning: unknown[{addr}]: SASL LOGIN authentication "
                "failed: UGFzc3dvcmQ6\n"
            )
        return (
            f"{head}/anvil[{pid}]: statistics: max connection rate 1/60s for (smtp:{addr}) "
            f"at {when}\n"
        )

    def dovecot(self, when: str) -> str:
        r = self.r
        addr = self.clients.draw()
        head = f"{when} {self.host} dovecot"
        session = _token(self.rng, _B64, 16)
        user = self.mailbox()
        u = r()
        # Dovecot on a dual-stack listener reports IPv4 clients as mapped addresses.
        local = _LOCAL6 if ":" in addr else _LOCAL4
        if u < 0.35:
            service = "imap-login" if r() < 0.8 else "pop3-login"
            return (
                f"{head}: {service}: Login: user=<{user}>, method=PLAIN, rip={addr}, "
                f"lip={local}, mpid={self.pid()}, TLS, session=<{session}>\n"
            )
        if u < 0.65:
            return (
                f"{head}: imap({user})<{self.pid()}><{session}>: Logged out in={int(r() * 9999)}"
                f" out={int(r() * 999999)} deleted=0 expunged=0 trashed=0 hdr_count=0 "
                "hdr_bytes=0 body_count=0 body_bytes=0\n"
            )
        if u < 0.75:
            return (
                f"{head}: imap-login: Disconnected (auth failed, 1 attempts in 2 secs): "
                f"user=<{user}>, method=PLAIN, rip={addr}, lip={local}, TLS, session=<{session}>\n"
            )
        if u < 0.85:
            return (
                f"{head}: auth-worker({self.pid()}): pam({user},{addr},<{session}>): unknown user\n"
            )
        if u < 0.93:
            return (
                f"{head}: lmtp({user})<{self.pid()}><{session}>: msgid=<"
                f"{_token(self.rng, _HEX, 20)}@example.com>: saved mail to INBOX\n"
            )
        return f"{head}: lmtp({self.pid()}): Connect from local\n"

    def __call__(self, lines: int) -> Iterator[str]:
        r = self.r
        tick = self.clock.tick
        pf, dc = self.share
        for _ in range(lines):
            when = tick()[1]
            u = r()
            if u < pf:
                yield self.postfix(when)
            elif u < dc:
                yield self.dovecot(when)
            else:
                yield f"{when} {self.host} systemd[1]: Started session-{int(r() * 9999)}.scope.\n"


def mail(lines: int, seed: int = 1) -> Iterator[str]:
    """Postfix and Dovecot lines, mixed as on a small mail server (60 % / 38 %, 2 % other)."""
    return _Mail(seed, postfix=0.6, dovecot=0.38)(lines)


def postfix(lines: int, seed: int = 1) -> Iterator[str]:
    """Postfix lines only."""
    return _Mail(seed, postfix=1.0, dovecot=0.0)(lines)


def dovecot(lines: int, seed: int = 1) -> Iterator[str]:
    """Dovecot lines only."""
    return _Mail(seed, postfix=0.0, dovecot=1.0)(lines)


Generator = Callable[[int, int], Iterator[str]]

#: Generators by name (the names match ipmask's format names where one exists).
GENERATORS: dict[str, Generator] = {
    "combined": apache_combined,
    "common": apache_common,
    "vhost_combined": apache_vhost_combined,
    "nginx": nginx_combined,
    "apache-error": apache_error,
    "nginx-error": nginx_error,
    "mail": mail,
    "postfix": postfix,
    "dovecot": dovecot,
}


#: The corpus each of ipmask's formats is timed on: lines written in that format.
FORMAT_CORPUS = {
    "any": "mail",
    "common": "common",
    "combined": "combined",
    "vhost_combined": "vhost_combined",
    "nginx": "nginx",
    "apache-error": "apache-error",
    "nginx-error": "nginx-error",
    "postfix": "postfix",
    "dovecot": "dovecot",
    "syslog": "mail",
    "auto": "combined",
}


def block(name: str, lines: int, seed: int = 1) -> bytes:
    """``lines`` lines of corpus ``name`` as one bytes block."""
    return "".join(GENERATORS[name](lines, seed)).encode("ascii")


def write(path: Path, name: str, lines: int, seed: int = 1, *, batch: int = 20_000) -> Path:
    """Write corpus ``name`` to ``path`` (through a temporary file, so no half corpus remains)."""
    tmp = path.with_name(path.name + ".part")
    gen = GENERATORS[name](lines, seed)
    with tmp.open("wb") as out:
        while True:
            chunk = [line for _, line in zip(range(batch), gen, strict=False)]
            if not chunk:
                break
            out.write("".join(chunk).encode("ascii"))
    tmp.replace(path)
    return path


def cached(folder: Path, name: str, lines: int, seed: int = 1) -> Path:
    """The corpus file in ``folder``, generated on first use."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-{lines}-s{seed}-v{CORPUS_VERSION}.log"
    if not path.exists():
        write(path, name, lines, seed)
    return path
