"""``python -m westminster_kg.cli``: the ``wmkg`` command."""

from westminster_kg.cli import main

main()
