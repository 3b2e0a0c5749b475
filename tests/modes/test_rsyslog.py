"""rsyslog's mmexternal protocol: ipmask.modes.serve, in-process and through the command."""

from __future__ import annotations

import io
import json
import os
import select
import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ipmask import ConfigError, Masker
from ipmask.modes import serve

MASK = Masker().mask_bytes
COMMAND = [sys.executable, "-m", "ipmask", "--rsyslog"]
TIMEOUT = 20


def fulljson(msg: str, **extra: str) -> bytes:
    """One line as rsyslog's fulljson input writes it (msg first, rawmsg always present)."""
    return json.dumps({"msg": msg, "rawmsg": "<22>" + msg, **extra}).encode() + b"\n"


def run(data: bytes, *, interface: str = "auto", mask: Callable[[bytes], bytes] = MASK):
    """Serve ``data``; return (exit code, stdout bytes, stderr text)."""
    stdout, stderr = io.BytesIO(), io.StringIO()
    code = serve(io.BytesIO(data), stdout, stderr, mask, interface=interface)
    return code, stdout.getvalue(), stderr.getvalue()


def replies(out: bytes) -> list[dict[str, str]]:
    """The reply lines as JSON objects; raw bytes in strings come back as surrogate escapes."""
    assert out.endswith(b"\n") or out == b""
    return [json.loads(line.decode("utf-8", "surrogateescape")) for line in out.splitlines()]


def reply_msg(reply: dict[str, str]) -> bytes:
    """The new MSG of a reply, as the bytes rsyslog stores."""
    return reply["msg"].encode("utf-8", "surrogateescape")


# -- msg input (plain text) -------------------------------------------------------------------


def test_plain_message_with_address_gets_masked_msg():
    """A plain message holding an address is answered with its masked text."""
    code, out, err = run(b" connect from unknown[78.46.198.140]\n")
    assert code == 0
    assert err == ""
    assert replies(out) == [{"msg": " connect from unknown[78.46.198.XXX]"}]


def test_plain_message_without_address_gets_empty_reply():
    """A message with nothing to mask is answered with {} only."""
    assert run(b" disconnect from unknown\n")[1] == b"{}\n"


def test_plain_empty_message_gets_empty_reply():
    """An empty message is answered with {}."""
    assert run(b"\n")[1] == b"{}\n"


def test_plain_multibyte_utf8_is_written_as_utf8():
    """Non-ASCII text stays as UTF-8 bytes in the reply, not as \\u escapes."""
    message = " Zugriff für Jürgen ✓ von 2a01:4f8:1c17:413b::1".encode()
    out = run(message + b"\n")[1]
    assert "für Jürgen ✓".encode() in out
    assert reply_msg(replies(out)[0]) == MASK(message)


def test_plain_invalid_utf8_survives_byte_for_byte():
    """Bytes that are not UTF-8 come back unchanged inside the reply's JSON string."""
    message = b" rip=78.46.198.140 \xff\xfe\xc3( end\x80"
    out = run(message + b"\n")[1]
    assert b"\xff\xfe\xc3( end\x80" in out
    assert reply_msg(replies(out)[0]) == b" rip=78.46.198.XXX \xff\xfe\xc3( end\x80"


def test_plain_control_characters_are_escaped_in_json():
    """A CR, tab or NUL in a message is carried as a JSON escape; the reply stays one line."""
    message = b"\tfrom 78.46.198.140\x00\r"
    out = run(message + b"\n")[1]
    assert out.count(b"\n") == 1
    assert reply_msg(replies(out)[0]) == b"\tfrom 78.46.198.XXX\x00\r"


def test_plain_lines_get_one_reply_each_in_order():
    """Every input line gets exactly one reply, in input order."""
    lines = [f" client 198.51.100.{n} seen {n}".encode() for n in range(50)]
    lines[7] = b" nothing to mask here"
    out = run(b"\n".join(lines) + b"\n")[1]
    got = replies(out)
    assert len(got) == len(lines)
    for line, reply in zip(lines, got, strict=True):
        masked = MASK(line)
        assert reply == ({} if masked == line else {"msg": masked.decode()})


def test_plain_last_line_without_newline_is_answered():
    """A final message without a line feed still gets its reply."""
    out = run(b" a 78.46.198.140\n b 2001:db8::1")[1]
    assert [reply_msg(r) for r in replies(out)] == [b" a 78.46.198.XXX", MASK(b" b 2001:db8::1")]


def test_plain_json_looking_message_is_masked_as_text():
    """A message that is JSON but not rsyslog's (no rawmsg) is text: its JSON is kept whole."""
    message = b'{"level":30,"msg":"login from 78.46.198.140"}'
    out = run(message + b"\n")[1]
    assert reply_msg(replies(out)[0]) == b'{"level":30,"msg":"login from 78.46.198.XXX"}'


def test_plain_first_line_of_broken_json_is_text():
    """In auto mode a first line that starts like JSON but is not JSON is plain text."""
    out = run(b'{"msg": "from 78.46.198.140"\n')[1]
    assert reply_msg(replies(out)[0]) == b'{"msg": "from 78.46.198.XXX"'


def test_plain_mode_treats_later_json_as_text():
    """Once the first line chose msg input, a fulljson-looking line is text too."""
    data = b" first 78.46.198.140\n" + fulljson(" second 78.46.198.141")
    second = replies(run(data)[1])[1]
    assert reply_msg(second).startswith(b'{"msg": " second 78.46.198.XXX", "rawmsg"')


@settings(max_examples=200, deadline=None)
@given(st.binary().map(lambda b: b.replace(b"\n", b"")))
def test_plain_reply_is_exactly_the_masked_message(message):
    """For any bytes, the reply is {} when masking changes nothing, else the masked bytes."""
    masked = MASK(message)
    out = run(message + b"\n", interface="msg")[1]
    assert out.count(b"\n") == 1
    (reply,) = replies(out)
    assert reply == {} if masked == message else reply_msg(reply) == masked


# -- fulljson input ---------------------------------------------------------------------------


def test_fulljson_masks_only_msg():
    """With fulljson input the reply changes msg and nothing else (rawmsg is not sent back)."""
    line = fulljson(" connect from [2a01:4f8:1c17:413b::1]:4711", hostname="mx1")
    assert replies(run(line)[1]) == [
        {"msg": " connect from [2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX]:4711"}
    ]


def test_fulljson_without_address_gets_empty_reply():
    """A fulljson message with nothing to mask is answered with {}."""
    assert run(fulljson(" pickup: new mail"))[1] == b"{}\n"


def test_fulljson_multiline_message_is_masked_and_stays_one_reply():
    """A message with line feeds (JSON-escaped by rsyslog) comes back as one reply line."""
    out = run(fulljson("Traceback:\n  peer 78.46.198.140\n  done"))[1]
    assert out.count(b"\n") == 1
    assert replies(out) == [{"msg": "Traceback:\n  peer 78.46.198.XXX\n  done"}]


def test_fulljson_multibyte_and_raw_bytes_survive():
    """UTF-8 text and raw non-UTF-8 bytes inside fulljson strings come back as they were."""
    line = b'{ "msg": " f\xc3\xbcr 78.46.198.140 \xff\xfe", "rawmsg": "x" }\n'
    out = run(line)[1]
    assert reply_msg(replies(out)[0]) == b" f\xc3\xbcr 78.46.198.XXX \xff\xfe"


def test_fulljson_escaped_lone_surrogate_does_not_crash():
    """A \\ud800 escape (no UTF-8 form) is carried through, and the reply is still JSON."""
    out = run(b'{"msg": "\\ud800 78.46.198.140", "rawmsg": ""}\n')[1]
    assert reply_msg(replies(out)[0]).endswith(b" 78.46.198.XXX")


def test_fulljson_lines_get_one_reply_each_in_order():
    """Every fulljson line gets exactly one reply, in order."""
    lines = [fulljson(f" from 203.0.113.{n}") for n in range(30)]
    got = replies(run(b"".join(lines))[1])
    assert [r["msg"] for r in got] == [" from 203.0.113.XXX"] * 30


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        (b'{"msg": "78.46.198.140", "rawmsg": \n', "not valid JSON"),
        (b"78.46.198.140 plain text\n", "not valid JSON"),
        (b"\n", "not valid JSON"),
        (b"[" * 100_000 + b"\n", "not valid JSON"),
        (b'"78.46.198.140"\n', "JSON str, not an object"),
        (b'{"rawmsg": "78.46.198.140"}\n', 'without a "msg" string'),
        (b'{"msg": 17, "rawmsg": "78.46.198.140"}\n', 'without a "msg" string'),
    ],
)
def test_fulljson_bad_line_gets_empty_reply_and_a_message(line, reason):
    """A fulljson line without a usable msg gets {} and one line on stderr, no crash."""
    code, out, err = run(fulljson(" ok 78.46.198.140") + line + fulljson(" ok 2001:db8::7"))
    assert code == 0
    assert replies(out) == [
        {"msg": " ok 78.46.198.XXX"},
        {},
        {"msg": MASK(b" ok 2001:db8::7").decode()},
    ]
    assert err.startswith("ipmask: line 2: ")
    assert reason in err
    assert err.count("\n") == 1


def test_bad_line_message_never_quotes_the_address():
    """The diagnostic for a bad line does not repeat the line, which holds addresses in clear."""
    err = run(b'{"msg": "78.46.198.140"\n', interface="fulljson")[2]
    assert "78.46.198" not in err
    assert err


def test_explicit_fulljson_takes_a_bad_first_line_as_bad_json():
    """With interface='fulljson' even the first line must be JSON; text gets {}."""
    code, out, err = run(b" from 78.46.198.140\n", interface="fulljson")
    assert (code, out) == (0, b"{}\n")
    assert "not valid JSON" in err


def test_explicit_msg_takes_rsyslog_json_as_text():
    """With interface='msg' a fulljson-looking line is masked as plain text."""
    line = fulljson(" from 78.46.198.140")
    reply = replies(run(line, interface="msg")[1])[0]
    assert reply_msg(reply) == MASK(line.rstrip(b"\n"))


def test_unknown_interface_is_a_config_error():
    """An interface other than auto, msg or fulljson is refused before reading."""
    with pytest.raises(ConfigError, match="rawmsg"):
        run(b"x\n", interface="rawmsg")


# -- the stream ---------------------------------------------------------------------------------


def test_empty_input_exits_zero_silently():
    """End of input at once: exit 0, nothing written."""
    assert run(b"") == (0, b"", "")


class _Recorder(io.BytesIO):
    """Counts flushes, to see that every reply is flushed before the next line is read."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed_at: list[int] = []

    def flush(self) -> None:
        self.flushed_at.append(len(self.getvalue()))


def test_each_reply_is_flushed_on_its_own():
    """Each reply is flushed as soon as it is written (rsyslog waits for it)."""
    stdout = _Recorder()
    serve(io.BytesIO(b" a 78.46.198.140\n b\n c\n"), stdout, io.StringIO(), MASK)
    ends = [i + 1 for i, byte in enumerate(stdout.getvalue()) if byte == ord("\n")]
    assert stdout.flushed_at == ends


class _ClosedPipe(io.BytesIO):
    def write(self, data: bytes) -> int:  # type: ignore[override]
        raise BrokenPipeError(32, "Broken pipe")


def test_closed_reply_pipe_exits_one_without_traceback():
    """When rsyslog stops reading, serve returns 1 and says so on stderr."""
    stderr = io.StringIO()
    assert serve(io.BytesIO(b"x\n"), _ClosedPipe(), stderr, MASK) == 1
    assert "closed the reply pipe" in stderr.getvalue()


def test_diagnostics_are_dropped_when_stderr_is_the_reply_pipe():
    """mmexternal joins stderr to the reply pipe: a diagnostic there would shift the replies."""
    read_end, write_end = os.pipe()
    with open(write_end, "wb") as stdout, open(write_end, "w", closefd=False) as stderr:
        code = serve(io.BytesIO(b"not json\n"), stdout, stderr, MASK, interface="fulljson")
    with open(read_end, "rb") as pipe:
        assert (code, pipe.read()) == (0, b"{}\n")


# -- through the command, as rsyslog runs it ----------------------------------------------------


def test_command_answers_each_line_while_input_stays_open():
    """The command replies to a line before the next one is sent (half-duplex, flushed)."""
    with subprocess.Popen(
        COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as proc:
        assert proc.stdin is not None
        assert proc.stdout is not None
        got = []
        for n in range(3):
            proc.stdin.write(f" from 78.46.198.{140 + n}\n".encode())
            proc.stdin.flush()
            ready, _, _ = select.select([proc.stdout], [], [], TIMEOUT)
            assert ready, f"no reply to line {n + 1} within {TIMEOUT} s"
            got.append(proc.stdout.readline())
        proc.stdin.close()
        assert proc.wait(TIMEOUT) == 0
    assert got == [b'{"msg": " from 78.46.198.XXX"}\n'] * 3


def test_command_speaks_fulljson_and_exits_zero_at_end():
    """fulljson through the command: masked msg, {} for a bad line, exit 0 at end of input."""
    data = fulljson(" a für 78.46.198.140") + b"{broken\n" + fulljson(" b")
    done = subprocess.run(COMMAND, input=data, capture_output=True, timeout=TIMEOUT, check=False)
    assert done.returncode == 0
    assert replies(done.stdout) == [{"msg": " a für 78.46.198.XXX"}, {}, {}]
    assert "line 2" in done.stderr.decode()


def test_command_keeps_stdout_pure_when_stderr_shares_it():
    """With stderr joined to stdout, as mmexternal does, only replies come out."""
    data = fulljson(" a 78.46.198.140") + b"{broken\n" + fulljson(" b 78.46.198.141")
    done = subprocess.run(
        COMMAND,
        input=data,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0
    assert replies(done.stdout) == [{"msg": " a 78.46.198.XXX"}, {}, {"msg": " b 78.46.198.XXX"}]


def test_command_runs_with_an_empty_environment():
    """mmexternal starts the program with no environment at all; it must still work."""
    done = subprocess.run(
        COMMAND,
        input=b" from 78.46.198.140\n",
        capture_output=True,
        env={},
        timeout=TIMEOUT,
        check=False,
    )
    assert (done.returncode, done.stdout) == (0, b'{"msg": " from 78.46.198.XXX"}\n')
