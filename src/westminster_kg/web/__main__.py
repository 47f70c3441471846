"""A query worker: ``python -m westminster_kg.web --worker STORE_DIR`` (started by ``wmkg serve``)."""

import sys

from westminster_kg.web.workers import worker_main

if len(sys.argv) == 3 and sys.argv[1] == "--worker":
    worker_main(sys.argv[2])
else:
    sys.exit("usage: python -m westminster_kg.web --worker STORE_DIR (started by wmkg serve)")
