"""Production settings plus one override: static files collected into a temporary folder.

`config.settings.base` reads STATIC_ROOT from no variable, and the benchmark must not write
into the project's own `staticfiles/`; everything else (DEBUG off, the manifest storage,
database sessions, CONN_MAX_AGE...) is exactly what production gets from the same environment.
"""

import os

from config.settings.base import *  # noqa: F403

STATIC_ROOT = os.environ["BENCH_STATIC_ROOT"]
