"""``python -m simulator``: the ``casino-sim`` command."""

import sys

from simulator.cli import main

sys.exit(main())
