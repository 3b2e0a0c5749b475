"""ipmask: truncate IP addresses in log streams (78.46.198.140 -> 78.46.198.XXX)."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
