"""ipmask.masking.Settings (ipmask.masking._settings): the one settings object, its validation,
its keyword form Options, and the ways the masker and the functions take it."""

from __future__ import annotations

import dataclasses
import typing

import pytest

import ipmask
from helpers import V4, V6
from ipmask import ConfigError
from ipmask.masking import Masker, Options, Settings, mask_ip, mask_text

#: Text with something for every masking setting: both families, a private and a loopback one.
TEXT = f"{V4} [{V6}]:443 10.1.2.3 127.0.0.1 ::1"

# -- validation -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "setting", "message"),
    [
        ({"ipv4_prefix": 33}, "ipv4_prefix", "use 0 to 32"),
        ({"ipv4_prefix": -1}, "ipv4_prefix", "use 0 to 32"),
        ({"ipv4_prefix": 20}, "ipv4_prefix", "multiple of 8"),
        ({"ipv4_prefix": "24"}, "ipv4_prefix", "whole number"),
        ({"ipv4_prefix": True}, "ipv4_prefix", "whole number"),
        ({"ipv4_prefix": 24.0}, "ipv4_prefix", "whole number"),
        ({"ipv6_prefix": 129}, "ipv6_prefix", "use 0 to 128"),
        ({"ipv6_prefix": 45}, "ipv6_prefix", "multiple of 4"),
        ({"ipv6_prefix": None}, "ipv6_prefix", "whole number"),
        ({"style": "hash"}, "style", "x, zero"),
        ({"style": None}, "style", "x, zero"),
        ({"keep": "private"}, "keep", "list of networks, not a single string"),
        ({"keep": b"private"}, "keep", "list of networks, not a single string"),
        ({"keep": 42}, "keep", "not a list of networks"),
        ({"keep": [42]}, "keep", "not a string"),
        ({"keep": [None]}, "keep", "not a string"),
        ({"keep": ["10.0.0.0/33"]}, "keep", "larger than 32"),
        ({"keep": ["2001:db8::/129"]}, "keep", "larger than 128"),
        ({"keep": ["banana"]}, "keep", "not a network"),
        ({"keep": ["10.0.0.0/x"]}, "keep", "not a network"),
        ({"keep": ["10.0.0.0/8/8"]}, "keep", "not a network"),
        ({"keep": [""]}, "keep", "not a network"),
        ({"format": 1}, "format", "not a format name"),
        ({"format": None}, "format", "not a format name"),
        ({"hostnames": "yes"}, "hostnames", "True, False or None"),
        ({"hostnames": 1}, "hostnames", "True, False or None"),
        ({"apache_format": 1}, "apache_format", "not a template"),
        ({"nginx_format": b"$remote_addr"}, "nginx_format", "not a template"),
    ],
)
def test_each_bad_setting_is_named(options: dict[str, object], setting: str, message: str) -> None:
    """Each bad setting raises ConfigError (a ValueError) naming it and saying what is allowed."""
    with pytest.raises(ConfigError) as info:
        Settings(**options)  # type: ignore[arg-type]
    error = info.value
    assert isinstance(error, ValueError)
    assert error.setting == setting
    assert message in error.reason
    assert str(error) == f"{setting}: {error.reason}"


def test_keep_prefix_of_other_digits_is_a_config_error() -> None:
    """A prefix written with a digit that is no ASCII digit is refused as a keep setting."""
    with pytest.raises(ConfigError) as info:
        Settings(keep=["10.0.0.0/²"])
    assert info.value.setting == "keep"


def test_keep_network_with_an_empty_prefix_is_refused() -> None:
    """ "10.0.0.0/" is neither CIDR nor a single address."""
    with pytest.raises(ConfigError, match="not a network"):
        Settings(keep=["10.0.0.0/"])


def test_zero_style_takes_any_prefix() -> None:
    """Prefixes that are no multiple of 8 or 4 are fine in zero style."""
    settings = Settings(ipv4_prefix=20, ipv6_prefix=45, style="zero")
    assert (settings.policy.ipv4_prefix, settings.policy.ipv6_prefix) == (20, 45)


def test_replace_validates_the_changes() -> None:
    """replace() checks the new values as the constructor does."""
    with pytest.raises(ConfigError) as info:
        Settings().replace(ipv4_prefix=33)
    assert info.value.setting == "ipv4_prefix"


def test_replace_checks_the_settings_together() -> None:
    """A change that only clashes with a setting kept from before is refused too."""
    zero = Settings(ipv4_prefix=20, style="zero")
    with pytest.raises(ConfigError) as info:
        zero.replace(style="x")
    assert info.value.setting == "ipv4_prefix"


def test_replace_returns_a_copy_with_the_changes() -> None:
    """replace() leaves the original as it was and works out the copy's policy."""
    settings = Settings(ipv4_prefix=16)
    changed = settings.replace(style="zero", keep=["private"])
    assert settings == Settings(ipv4_prefix=16)
    assert changed == Settings(ipv4_prefix=16, style="zero", keep=("private",))
    assert changed.policy.style == "zero"
    assert len(changed.policy.keep) == 4


# -- a value --------------------------------------------------------------------------------------


def test_settings_are_frozen() -> None:
    """Settings cannot be changed once made (the maskers made for them rely on it)."""
    settings = Settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.style = "zero"  # type: ignore[misc]


def test_keep_as_a_list_equals_keep_as_a_tuple() -> None:
    """keep given as a list is stored as a tuple: equal, same hash, hashable."""
    as_list = Settings(keep=["private", "198.51.100.0/24"])
    as_tuple = Settings(keep=("private", "198.51.100.0/24"))
    assert as_list.keep == ("private", "198.51.100.0/24")
    assert as_list == as_tuple
    assert hash(as_list) == hash(as_tuple)
    assert {as_list: 1}[as_tuple] == 1


def test_settings_are_equal_by_value() -> None:
    """Two Settings made apart with the same values are equal; any difference tells them apart."""
    assert Settings(style="zero", hostnames=True) == Settings(hostnames=True, style="zero")
    assert Settings() != Settings(format="combined")
    assert Settings() != Settings(hostnames=False)
    assert len({Settings(), Settings(), Settings(apache_format="%h")}) == 2


def test_options_have_exactly_the_fields_of_settings() -> None:
    """Options (the keywords) has each field Settings takes, with the same type: none forgotten."""
    options = typing.get_type_hints(Options)
    fields = typing.get_type_hints(Settings)
    taken = [field.name for field in dataclasses.fields(Settings) if field.init]
    assert sorted(options) == sorted(taken)
    assert {name: fields[name] for name in taken} == options


def test_defaults_are_the_documented_ones() -> None:
    """Settings() keeps 24 and 44 bits in style x, keeps no network, and reads any format."""
    assert Settings() == Settings(
        ipv4_prefix=24,
        ipv6_prefix=44,
        style="x",
        keep=(),
        format="any",
        apache_format=None,
        nginx_format=None,
        hostnames=None,
    )


# -- the masker and the functions take them -------------------------------------------------------

OPTION_SETS: list[dict[str, typing.Any]] = [
    {},
    {"ipv4_prefix": 16},
    {"ipv6_prefix": 32, "style": "zero"},
    {"ipv4_prefix": 20, "style": "zero"},
    {"keep": ["private", "loopback"]},
    {"keep": ("198.51.100.0/24",), "ipv4_prefix": 8},
]


@pytest.mark.parametrize("options", OPTION_SETS)
def test_masker_takes_settings_or_their_fields(options: dict[str, typing.Any]) -> None:
    """Masker(Settings(...)) and Masker(**options) have the same settings and mask the same."""
    settings = Settings(**options)
    by_settings, by_options = Masker(settings), Masker(**options)
    assert by_settings.settings == by_options.settings == settings
    assert by_settings.policy == by_options.policy == settings.policy
    assert by_settings.mask_text(TEXT) == by_options.mask_text(TEXT)


@pytest.mark.parametrize("options", OPTION_SETS)
def test_masker_applies_changes_to_the_settings_given(options: dict[str, typing.Any]) -> None:
    """Masker(settings, **changes) masks as Masker(settings.replace(**changes)) does."""
    base = Settings(style="zero", ipv6_prefix=40)
    changed = Masker(base, **options)
    assert changed.settings == base.replace(**options)
    assert changed.mask_text(TEXT) == Masker(base.replace(**options)).mask_text(TEXT)


def test_masker_changes_win_over_the_settings_given() -> None:
    """The changes win over the settings they are applied to."""
    assert Masker(Settings(ipv4_prefix=16), ipv4_prefix=8).mask_ip(V4) == "78.XXX.XXX.XXX"


def test_masker_keeps_the_settings_it_was_given() -> None:
    """Masker(settings) holds those settings, and Masker() the defaults."""
    settings = Settings(style="zero")
    assert Masker(settings).settings is settings
    assert Masker().settings == Settings()


def test_masker_refuses_bad_changes() -> None:
    """A bad change to good settings raises the ConfigError naming it."""
    with pytest.raises(ConfigError) as info:
        Masker(Settings(), style="hash")
    assert info.value.setting == "style"


@pytest.mark.parametrize("options", OPTION_SETS)
def test_mask_ip_and_mask_text_take_the_options(options: dict[str, typing.Any]) -> None:
    """mask_ip(address, **options) and mask_text(text, **options) mask as Masker(**options)."""
    masker = Masker(**options)
    assert mask_text(TEXT, **options) == masker.mask_text(TEXT)
    assert mask_text(TEXT.encode(), **options) == masker.mask_text(TEXT.encode())
    assert mask_ip(V4, **options) == masker.mask_ip(V4)
    assert mask_ip(V6, **options) == masker.mask_ip(V6)


def test_mask_text_options_change_the_result() -> None:
    """The options do reach the masking (the check above is no comparison of defaults)."""
    assert mask_text(V4, ipv4_prefix=16) == "78.46.XXX.XXX"
    assert mask_text(V4, keep=["78.46.0.0/16"]) == V4
    assert mask_ip(V4, style="zero") == "78.46.198.0"


def test_mask_text_accepts_the_settings_that_are_not_about_masking() -> None:
    """Every Settings field is an option; the format settings do not change what is masked."""
    assert mask_text(TEXT, format="combined", hostnames=True, apache_format="%h") == (
        mask_text(TEXT)
    )


def test_functions_refuse_bad_options() -> None:
    """mask_ip and mask_text raise the ConfigError naming the bad option."""
    with pytest.raises(ConfigError) as info:
        mask_ip(V4, ipv6_prefix=7)
    assert info.value.setting == "ipv6_prefix"
    with pytest.raises(ConfigError) as info:
        mask_text(V4, keep="private")
    assert info.value.setting == "keep"


def test_package_offers_settings() -> None:
    """ipmask.Settings is ipmask.masking.Settings."""
    assert ipmask.Settings is Settings
