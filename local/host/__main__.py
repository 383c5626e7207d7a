"""``python -m local.host``: see the package docstring."""

from __future__ import annotations

import sys

from local.host.cli import main

sys.exit(main())
