"""Copies of an address inside host names: ``72-53-132-234.example.net[72.53.132.234]``.

Reverse DNS names of dial-up and hosting customers spell their address out, so masking the
address achieves nothing while its name stands beside it. This pass runs on the original text,
before the masker masks the addresses, and changes only the numbers of host names that spell an
address: exactly the parts the masker hides of that address, written the way it writes them.

Two kinds of evidence are used:

* a pair, where a name stands next to its address (``name[addr]``, ``name (addr)``,
  ``addr (name)``, ...): the address is known, so its four octets are looked for in the name in
  any order and notation (:mod:`~ipmask.masking.hostnames._pairs`);
* with ``standalone``, a name alone that spells a whole address in a usual notation
  (:mod:`~ipmask.masking.hostnames._alone`).

:mod:`~ipmask.masking.hostnames._plans` works out what masking does to an address, and
:mod:`~ipmask.masking.hostnames._spelling` finds and rewrites its copies in a name;
:class:`HostnameMasker` puts them together and keeps the caches.

Speed: a few compiled patterns scan the whole block, each starting at a literal so that ``re``
skips through the text at C speed, and they reject names that cannot spell an address
themselves; Python only runs per remaining match, and each distinct name (with its address) is
worked out once.
"""

from ipmask.masking.hostnames._masker import HostnameMasker
from ipmask.masking.hostnames._spelling import Edit, apply_edits

__all__ = ["Edit", "HostnameMasker", "apply_edits"]
