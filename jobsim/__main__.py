"""``python -m jobsim``: the command line."""

from __future__ import annotations

import sys

from jobsim.cli import main

sys.exit(main())
