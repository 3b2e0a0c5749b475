"""The pure engine: settings, grammar, parsing, rendering, the scanner and the masker.

Nothing here does I/O. The layers above (formats, streaming, modes, the CLI) take a
:class:`Settings` and a :class:`Masker`; the modules named ``_x`` are this layer's inside.
"""

from ipmask.masking._cache import Cache, Limits
from ipmask.masking._masker import Masker, mask_ip, mask_text
from ipmask.masking._policy import NAMED_NETWORKS, STYLES, Network, Policy
from ipmask.masking._settings import Options, Settings

__all__ = [
    "NAMED_NETWORKS",
    "STYLES",
    "Cache",
    "Limits",
    "Masker",
    "Network",
    "Options",
    "Policy",
    "Settings",
    "mask_ip",
    "mask_text",
]
