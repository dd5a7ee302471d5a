"""``python -m benchmarks.suite``: see :mod:`benchmarks.suite.run`."""

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")

from .run import main  # noqa: E402

main()
