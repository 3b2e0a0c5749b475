"""``python -m ipmask``: the same as the ``ipmask`` command."""

from ipmask.cli import main

if __name__ == "__main__":  # pragma: no cover - exercised through subprocess tests
    main()
