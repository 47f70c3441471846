"""Popolo import: seconds to read, check and write a ministers file of N memberships.

    python benchmarks/popolo_import.py --memberships 3000 --repeat 5

The file is synthetic (people "Synthetic Person N", random dates 1979-2015) over the real
organisation names of tests/data/popolo/ministers.json; each run imports it into a scratch project
with the real ontology and graph, through the same ``import_dataset`` the CLI calls.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from westminster_kg.link import import_dataset
from westminster_kg.project import Project

REPO = Path(__file__).resolve().parents[1]


def synthetic_popolo(memberships: int, seed: int = 1) -> dict:
    """A Popolo document of ``memberships`` appointments over the fixture's real organisations."""
    rng = random.Random(seed)
    organizations = json.loads((REPO / "tests/data/popolo/ministers.json").read_text())["organizations"]
    persons = [{"id": f"uk.org.publicwhip/person/{90000 + i}", "name": f"Synthetic Person {i}"} for i in range(800)]
    rows = []
    for i in range(memberships):
        year, month, day = rng.randint(1979, 2014), rng.randint(1, 12), rng.randint(1, 28)
        rows.append(
            {
                "id": f"uk.org.publicwhip/moffice/{i}",
                "person_id": rng.choice(persons)["id"],
                "organization_id": rng.choice(organizations)["id"],
                "role": rng.choice(["Minister of State", "Parliamentary Under-Secretary of State"]),
                "start_date": f"{year}-{month:02d}-{day:02d}",
                "end_date": f"{year + 1}-{month:02d}" if i % 3 else f"{year + 1}",
            }
        )
    return {"persons": persons, "organizations": organizations, "memberships": rows}


def main() -> None:
    """Time the import and print the median, min and max."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--memberships", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        for folder in ("ontology", "graph", "queries"):
            shutil.copytree(REPO / folder, root / folder)
        source = root / "ministers.json"
        source.write_text(json.dumps(synthetic_popolo(args.memberships)), encoding="utf-8")
        size = source.stat().st_size
        project = Project.open(root)
        times, triples = [], 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            triples = import_dataset(project, source, "bench").triples
            times.append(time.perf_counter() - start)
    print(
        f"{args.memberships} memberships, {size:,} bytes -> {triples:,} triples: "
        f"median {statistics.median(times):.2f} s (min {min(times):.2f}, max {max(times):.2f}, {args.repeat} runs)"
    )


if __name__ == "__main__":
    main()
