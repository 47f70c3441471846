"""A bounded fuzz run of the real endpoint on loopback: hostile requests never crash it.

The full run with its figures is `benchmarks/fuzz_endpoint.py` (see docs/reliability.md); this is
the same code with a smaller budget, so CI catches a regression.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from fuzz_endpoint import run  # noqa: E402 - the benchmark folder is not a package


@pytest.mark.slow
def test_hostile_requests_get_4xx_or_answers_and_other_clients_are_served() -> None:
    # Bounded by the request count; the time bound is only a safety net, generous so that a busy
    # machine finishes the count. Clients wait as long as it takes: behaviour is asserted, not speed.
    figures = run(requests=120, seconds=900, timeout=2.0, seed=11)
    assert figures["server_alive_after"]
    assert figures["requests_tried"] == 120
    assert figures["failures"] == []
    assert figures["worker_deaths"] == 0  # a memory bomb stops at the limit, counted apart
    assert not figures["forwarded_proto_obeyed"]
    assert figures["hosts_contacted"] == 0
    assert figures["canary_failures"] == [] and figures["page_canary_failures"] == []
    assert figures["fresh_canary_failures"] == []
    assert figures["canary_requests"] > 0 and figures["page_canary_requests"] > 0
    assert figures["fresh_canary_requests"] > 0
    # Malformed and forbidden requests were really tried and refused.
    assert figures["status_counts"].get("400", 0) > 10
    assert figures["status_counts"].get("403", 0) > 0
