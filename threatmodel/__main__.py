"""`python -m threatmodel` runs the command-line interface."""

import sys

from threatmodel.cli import main

sys.exit(main())
