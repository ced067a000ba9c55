"""``python -m gototraining.cli``: the same as the ``gototraining`` script."""

from gototraining.cli import main

raise SystemExit(main())
