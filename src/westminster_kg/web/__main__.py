"""A query worker or the spawner that forks them (both started by ``wmkg serve``).

``python -m westminster_kg.web --worker STORE_DIR`` answers queries on stdin/stdout;
``python -m westminster_kg.web --spawner FD`` forks such workers on request (westminster_kg.web.spawner).
"""

import sys

if len(sys.argv) == 3 and sys.argv[1] == "--worker":
    from westminster_kg.web.worker import worker_main

    worker_main(sys.argv[2])
elif len(sys.argv) == 3 and sys.argv[1] == "--spawner" and sys.argv[2].isdigit():
    import pyoxigraph  # noqa: F401 - imported once, here, for every worker forked later

    from westminster_kg.web.spawner import spawner_main
    from westminster_kg.web.worker import MEMORY_ENV, NETWORK_ENV, worker_main

    spawner_main(int(sys.argv[2]), worker_main, NETWORK_ENV, MEMORY_ENV)
else:
    sys.exit("usage: python -m westminster_kg.web --worker STORE_DIR | --spawner FD (started by wmkg serve)")
