"""``python -m gototraining.sandbox --port 8089``."""

from __future__ import annotations

import sys

from .command import main

if __name__ == "__main__":
    sys.exit(main(prog="python -m gototraining.sandbox"))
