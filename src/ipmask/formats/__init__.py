"""Line filters per log format: where addresses live in web, error, mail and syslog lines.

``get_filter(settings)`` returns a :class:`LineFilter` that masks blocks of whole lines.
Every filter falls back to the `any` rules (with the host-name pass) for a line that does not
fit its format, so an address is never passed on in clear. The modules named ``_x`` are this
layer's inside.
"""

from ipmask.formats._base import Counts, LineFilter, count_lines
from ipmask.formats._detect import SAMPLE_LINES, AutoFilter, detect_format
from ipmask.formats._registry import FORMAT_NAMES, get_filter

__all__ = [
    "FORMAT_NAMES",
    "SAMPLE_LINES",
    "AutoFilter",
    "Counts",
    "LineFilter",
    "count_lines",
    "detect_format",
    "get_filter",
]
