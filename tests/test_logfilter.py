"""ipmask.logfilter.MaskingFilter: records masked, formatting intact, caller's objects untouched;
it takes ipmask.Settings or their fields, as ipmask.masking.Masker does."""

from __future__ import annotations

import ipaddress
import logging
import logging.config
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpers import V4, V4_MASKED, V6, V6_MASKED, X
from ipmask import ConfigError, Settings
from ipmask.logfilter import MaskingFilter
from real.tools import doc_block


@pytest.fixture
def masked_caplog(caplog: pytest.LogCaptureFixture) -> Iterator[pytest.LogCaptureFixture]:
    """caplog whose handler masks with the default MaskingFilter."""
    masking = MaskingFilter()
    caplog.handler.addFilter(masking)
    caplog.set_level(logging.INFO)
    yield caplog
    caplog.handler.removeFilter(masking)


def record(msg: object, args: object = (), **extra: object) -> logging.LogRecord:
    """A record as Logger.makeRecord builds it (a single non-empty dict becomes the args)."""
    made = logging.LogRecord("shop", logging.INFO, __file__, 1, msg, args, None)  # type: ignore[arg-type]
    made.__dict__.update(extra)
    return made


def filtered(made: logging.LogRecord, **options: object) -> logging.LogRecord:
    assert MaskingFilter(**options).filter(made) is True  # type: ignore[arg-type]
    return made


# -- with caplog --------------------------------------------------------------------------------


def test_str_argument_is_masked(masked_caplog):
    """An address passed as a %s argument is masked in the message and in record.args."""
    logging.getLogger("shop").info("download by %s", V4)
    (rec,) = masked_caplog.records
    assert rec.getMessage() == f"download by {V4_MASKED}"
    assert rec.args == (V4_MASKED,)
    assert V4 not in masked_caplog.text


def test_address_in_the_message_itself_is_masked(masked_caplog):
    """An address written into the message (an f-string) is masked."""
    logging.getLogger("shop").warning(f"login failed from {V6}")
    assert masked_caplog.records[0].getMessage() == f"login failed from {V6_MASKED}"


def test_numbers_stay_numbers(masked_caplog):
    """int, float and Decimal arguments keep their type, so %d and %.2f still work."""
    logging.getLogger("shop").info("%d bytes, %.2f s, %s EUR to %s", 4096, 0.5, Decimal("9.99"), V4)
    (rec,) = masked_caplog.records
    assert rec.args == (4096, 0.5, Decimal("9.99"), V4_MASKED)
    assert [type(a) for a in rec.args] == [int, float, Decimal, str]
    assert rec.getMessage() == f"4096 bytes, 0.50 s, 9.99 EUR to {V4_MASKED}"


def test_dict_argument_is_copied_and_masked(masked_caplog):
    """A dict argument is replaced by a masked copy; the caller's dict is not changed."""
    given_args = {"ip": V4, "port": 443}
    logging.getLogger("shop").info("%(ip)s:%(port)d", given_args)
    (rec,) = masked_caplog.records
    assert rec.getMessage() == f"{V4_MASKED}:443"
    assert given_args == {"ip": V4, "port": 443}
    assert rec.args is not given_args


def test_exception_text_is_masked_but_exception_is_not_changed(masked_caplog):
    """The traceback text is masked; the caller's exception object keeps its message."""
    error = ConnectionRefusedError(f"connect to {V4}:25 refused")
    try:
        raise error
    except ConnectionRefusedError:
        logging.getLogger("shop").exception("delivery failed")
    assert f"connect to {V4_MASKED}:25 refused" in masked_caplog.text
    assert V4 not in masked_caplog.text
    assert str(error) == f"connect to {V4}:25 refused"


def test_stack_info_is_masked(masked_caplog):
    """stack_info text (source lines included) is masked."""
    logging.getLogger("shop").info("where", stack_info=True)  # peer 78.46.198.140
    assert "peer 78.46.198.XXX" in masked_caplog.records[0].stack_info
    assert V4 not in masked_caplog.text


def test_record_without_address_is_left_as_it_is(masked_caplog):
    """A record with nothing to mask keeps its message and arguments."""
    logging.getLogger("shop").info("order %s paid: %d items", "A-17", 3)
    (rec,) = masked_caplog.records
    assert (rec.msg, rec.args) == ("order %s paid: %d items", ("A-17", 3))


# -- arguments and messages of other types ------------------------------------------------------


def test_address_objects_are_masked_in_str_and_repr():
    """ipaddress objects (not str) are masked both for %s and for %r."""
    rec = filtered(record("%s %r", (ipaddress.ip_address(V4), ipaddress.ip_address(V6))))
    assert rec.getMessage() == f"{V4_MASKED} IPv6Address('{V6_MASKED}')"


def test_caller_list_argument_is_not_changed():
    """A list argument is shown masked, and the caller's list keeps its addresses."""
    peers = [V4, V6]
    rec = filtered(record("peers %s", (peers,)))
    assert rec.getMessage() == f"peers ['{V4_MASKED}', '{V6_MASKED}']"
    assert peers == [V4, V6]


def test_bytes_argument_is_masked_and_stays_bytes():
    """A bytes argument is masked and keeps its type."""
    rec = filtered(record("raw %s", (b"from " + V4.encode() + b" \xff",)))
    assert rec.args == (b"from 78.46.198.XXX \xff",)


def test_str_subclass_argument_is_masked():
    """A str subclass (an enum's value class, a marked-safe string) is masked as text."""

    class Client(str):
        pass

    rec = filtered(record("client %s", (Client(V4),)))
    assert rec.getMessage() == f"client {V4_MASKED}"


def test_bytes_subclass_argument_is_masked():
    """A bytes subclass is masked like bytes."""

    class Raw(bytes):
        pass

    assert filtered(record("%s", (Raw(V4.encode()),))).args == (b"78.46.198.XXX",)


def test_record_without_args_tuple_is_masked():
    """A record whose args is None (as unpickled from a SocketHandler) is masked as text."""
    rec = filtered(record(f"from {V4} 100%", None))
    assert (rec.getMessage(), rec.args) == (f"from {V4_MASKED} 100%", None)


def test_exception_is_formatted_and_masked_once():
    """With exc_info and no exc_text yet, the filter renders the traceback and masks it."""
    try:
        raise TimeoutError(f"no answer from {V4}")
    except TimeoutError as error:
        rec = record("failed", exc_info=(TimeoutError, error, error.__traceback__))
    text = filtered(rec).exc_text
    assert text.startswith("Traceback (most recent call last):")
    assert text.endswith(f"TimeoutError: no answer from {V4_MASKED}")


def test_exception_text_formatted_before_is_masked():
    """exc_text already set (by an earlier handler's formatter) is masked too."""
    rec = record("failed", exc_text=f"Traceback ...\nOSError: no route to {V6}")
    rec.exc_info = (OSError, OSError(), None)
    assert filtered(rec).exc_text == f"Traceback ...\nOSError: no route to {V6_MASKED}"


def test_none_and_bool_arguments_are_kept():
    """None and bool arguments are passed through as they are."""
    rec = filtered(record("%s %s %d", (None, True, False)))
    assert rec.args == (None, True, False)
    assert rec.getMessage() == "None True 0"


def test_conversion_next_to_address_like_text_keeps_working():
    """In a template with arguments, a conversion is never rewritten ("%d::1" keeps its %d)."""
    rec = filtered(record("%d::1 and %x:%a::%s", (7, 255, "z", V4)))
    assert rec.getMessage().startswith("7")
    assert rec.getMessage().endswith(V4_MASKED)


def test_literal_address_between_conversions_is_masked():
    """Literal text around conversions is masked ("%%" and "%(key)s" included)."""
    rec = filtered(record("100%% of %(who)s from " + V4 + " at %(when)s", {"who": "x", "when": 1}))
    assert rec.getMessage() == f"100% of x from {V4_MASKED} at 1"


def test_template_without_arguments_is_masked_whole():
    """Without arguments the message is not a template: "%" stays literal, zone ids too."""
    rec = filtered(record("link fe80::1%eth0 and 100% of " + V4))
    assert rec.getMessage() == f"link {X.mask_text('fe80::1')}%eth0 and 100% of {V4_MASKED}"


def test_non_string_message_is_masked_when_formatted():
    """An exception or other object logged as the message shows masked."""
    rec = filtered(record(OSError(f"no route to {V6}")))
    assert rec.getMessage() == f"no route to {V6_MASKED}"


def test_dict_message_is_copied_with_masked_values():
    """A dict message (structured logging) is copied with its values masked."""
    event = {"event": "login", "client": V4, "attempts": 3}
    rec = filtered(record(event))
    assert rec.msg == {"event": "login", "client": V4_MASKED, "attempts": 3}
    assert event["client"] == V4


def test_filtering_twice_changes_nothing_more():
    """Two handlers with the filter: the second pass leaves the record as the first made it."""
    rec = filtered(record("%s %s", (V4, ipaddress.ip_address(V6))))
    first = rec.getMessage()
    assert filtered(rec).getMessage() == first


@settings(max_examples=200, deadline=None)
@given(st.text(), st.integers())
def test_message_text_is_masked_like_mask_text(text, number):
    """For any text argument, the message equals the masker's masking of it."""
    rec = filtered(record("%s|%d", (text, number)))
    assert rec.getMessage() == X.mask_text(text) + f"|{number}"


# -- options --------------------------------------------------------------------------------------


def test_options_are_those_of_masker():
    """ipv4_prefix, ipv6_prefix, style and keep work as for Masker."""
    rec = filtered(
        record("%s %s %s", (V4, V6, "10.1.2.3")),
        ipv4_prefix=16,
        ipv6_prefix=48,
        style="zero",
        keep=["private"],
    )
    assert rec.getMessage() == "78.46.0.0 2a01:4f8:1c17:: 10.1.2.3"


def test_settings_object_is_taken_too():
    """MaskingFilter(Settings(...)) masks as MaskingFilter(**fields) does, and keeps them."""
    settings = Settings(ipv4_prefix=16, style="zero", keep=["private"])
    made = MaskingFilter(settings)
    assert made.masker.settings is settings
    rec = record("%s %s", (V4, "10.1.2.3"))
    assert made.filter(rec) is True
    assert rec.getMessage() == "78.46.0.0 10.1.2.3"


def test_keywords_change_the_settings_given():
    """MaskingFilter(settings, **changes) masks with the changes applied, as Masker does."""
    made = MaskingFilter(Settings(ipv4_prefix=16), style="zero")
    assert made.masker.settings == Settings(ipv4_prefix=16, style="zero")
    rec = record("%s", (V4,))
    assert made.filter(rec) is True
    assert rec.getMessage() == "78.46.0.0"


def test_bad_option_raises_config_error_at_set_up():
    """A bad setting fails when the filter is made, not when a record is logged, and is named."""
    with pytest.raises(ConfigError) as info:
        MaskingFilter(ipv4_prefix=20)
    assert info.value.setting == "ipv4_prefix"


def test_filter_never_drops_a_record():
    """The filter masks; it always returns True."""
    assert MaskingFilter().filter(record("plain")) is True


# -- dictConfig ---------------------------------------------------------------------------------


@pytest.fixture
def shop_logger() -> Iterator[logging.Logger]:
    """The docs' "shop" logger, with its handlers closed and removed afterwards."""
    logger = logging.getLogger("shop")
    state = (logger.level, logger.propagate, list(logger.handlers))
    yield logger
    for handler in logger.handlers:
        handler.close()
    logger.level, logger.propagate, logger.handlers[:] = state


def test_docs_dictconfig_masks_what_the_application_logs(tmp_path: Path, shop_logger):
    """The dictConfig in docs/integrations.md, run as written (log path changed), masks."""
    target = tmp_path / "downloads.log"
    code = doc_block(
        "integrations.md", "python-logging", {"/var/log/shop/downloads.log": str(target)}
    )
    exec(compile(code, "docs/integrations.md", "exec"), {})  # noqa: S102 - the docs' own code
    shop_logger.info("health check from %s", "127.0.0.1")
    written = target.read_text()
    assert "RE-2024-0042" in written
    assert V6_MASKED in written
    assert V6 not in written
    assert "127.0.0.1" in written  # the docs keep loopback (keep=["loopback"])


def test_dictconfig_passes_options_to_the_filter(tmp_path: Path, shop_logger):
    """Options given beside "()" reach MaskingFilter; lists come through as lists."""
    logging.config.dictConfig(
        {
            "version": 1,
            "disable_existing_loggers": False,
            "filters": {
                "ipmask": {
                    "()": "ipmask.logfilter.MaskingFilter",
                    "ipv4_prefix": 16,
                    "style": "zero",
                    "keep": ["192.0.2.0/24"],
                }
            },
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": str(tmp_path / "app.log"),
                    "filters": ["ipmask"],
                }
            },
            "loggers": {"shop": {"handlers": ["file"], "level": "INFO", "propagate": False}},
        }
    )
    shop_logger.info("from %s and %s", V4, "192.0.2.9")
    assert (tmp_path / "app.log").read_text() == "from 78.46.0.0 and 192.0.2.9\n"
