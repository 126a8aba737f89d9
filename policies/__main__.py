"""``python -m policies stamp``: write the bundle's revision into .manifest and data.hub.bundle.

``python -m policies check`` exits non-zero (naming the fix) when the stamp is stale.
"""

from __future__ import annotations

import sys

from policies import BundleError, load_bundle, stamp


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "check"
    if command == "stamp":
        print(f"bundle revision {stamp()}")
        return 0
    if command == "check":
        try:
            print(f"bundle revision {load_bundle().revision}: stamp is current")
        except BundleError as exc:
            print(f"policy bundle: {exc}", file=sys.stderr)
            return 1
        return 0
    print("usage: python -m policies [stamp|check]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
