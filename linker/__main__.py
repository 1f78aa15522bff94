"""`python -m linker`: the witlink command line."""

import sys

from linker.cli import main

sys.exit(main())
