"""Run the simulated farm: ``python -m ottosim --help``."""

import sys

from ottosim.cli import main

sys.exit(main())
