"""Reading and writing: sources, blocks of lines, compression, the output file, signals, the
progress bar, and the one block loop (:class:`Engine`) that every mode runs.

Nothing here knows where addresses stand; the modules named ``_x`` are this layer's inside.
"""

from ipmask.streaming._compression import CODECS, HEAD_SIZE, Codec, detect_codec, is_damage
from ipmask.streaming._engine import Engine, MakeFilter
from ipmask.streaming._lines import BLOCK_SIZE, LINE_CAP, LineBlocks, cut_point
from ipmask.streaming._output import FILE_MODE, Output
from ipmask.streaming._progress import Progress, no_progress
from ipmask.streaming._signals import Signals
from ipmask.streaming._sources import (
    DRAIN_SECONDS,
    Source,
    claim_standard_fds,
    describe_oserror,
    open_source,
)

__all__ = [
    "BLOCK_SIZE",
    "CODECS",
    "DRAIN_SECONDS",
    "FILE_MODE",
    "HEAD_SIZE",
    "LINE_CAP",
    "Codec",
    "Engine",
    "LineBlocks",
    "MakeFilter",
    "Output",
    "Progress",
    "Signals",
    "Source",
    "claim_standard_fds",
    "cut_point",
    "describe_oserror",
    "detect_codec",
    "is_damage",
    "no_progress",
    "open_source",
]
