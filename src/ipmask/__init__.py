"""ipmask: truncate IP addresses in log streams (78.46.198.140 -> 78.46.198.XXX).

>>> import ipmask
>>> ipmask.mask_ip("78.46.198.140")
'78.46.198.XXX'
>>> ipmask.mask_text(b"client=[2a01:4f8:1c17:413b::1]")
b'client=[2a01:4f8:1c1X:XXXX:XXXX:XXXX:XXXX:XXXX]'
"""

from __future__ import annotations

from ipmask.core import Masker, mask_ip, mask_text
from ipmask.errors import AddressError, ConfigError, IpmaskError
from ipmask.policy import Policy

__version__ = "0.1.0"

__all__ = [
    "AddressError",
    "ConfigError",
    "IpmaskError",
    "Masker",
    "Policy",
    "__version__",
    "mask_ip",
    "mask_text",
]
