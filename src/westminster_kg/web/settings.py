"""What an operator chooses for ``wmkg serve``, declared once: the ``Settings`` fields generate its options.

Each field that a person may set carries its help text (and, where the flag is not the field's name,
the flag) as metadata; ``westminster_kg.cli.serve`` builds ``wmkg serve``'s options from them, so a
default or a description is written in one place only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from westminster_kg.web.jobs import Limits
from westminster_kg.web.workers import default_workers


def option(
    default: Any = None,
    help: str = "",  # noqa: A002 - what typer calls it
    *,
    metavar: str,
    flag: str | None = None,
    factory: Any = None,
) -> Any:
    """A ``Settings`` field that ``wmkg serve`` offers as ``--flag`` (default: the field's name) taking ``metavar``."""
    metadata = {"help": help, "flag": flag, "metavar": metavar}
    if factory is not None:
        return field(default_factory=factory, metadata=metadata)
    return field(default=default, metadata=metadata)


@dataclass
class Settings:
    """What ``wmkg serve`` lets an operator choose (``wmkg serve --help`` is generated from these fields)."""

    query_timeout: float = option(
        10.0, "Seconds a query may take, counted from the request's arrival.", metavar="SECONDS"
    )
    max_rows: int = option(
        10_000, "Rows (or triples) a query returns at most; the answer says when it is cut.", metavar="ROWS"
    )
    max_body: int = option(1_000_000, "Bytes of request body accepted.", metavar="BYTES")
    # Origins whose pages may read the answers: any (read-only and public, as the Wikidata Query
    # Service: Access-Control-Allow-Origin: *); a list names them; [] sends no CORS header.
    cors_origins: list[str] = option(
        help="Only pages from this origin may read the answers (repeat); 'none': no page from another origin. "
        "Default: any origin (Access-Control-Allow-Origin: *), as the Wikidata Query Service.",
        flag="--cors",
        factory=lambda: ["*"],
        metavar="ORIGIN",
    )
    allowed_services: list[str] = option(
        help="Let SERVICE call this endpoint URL (repeat); the query workers then keep a network.",
        flag="--allow-service",
        factory=list,
        metavar="URL",
    )
    workers: int = option(help="Query worker processes (default: one per CPU).", factory=default_workers, metavar="N")
    cache_bytes: int = option(
        64_000_000, "Bytes of answers kept until the data changes (0: keep none).", metavar="BYTES"
    )
    base_url: str | None = option(
        None,
        "The public address behind a proxy, for the service description and VoID (default: as reached).",
        metavar="URL",
    )
    reload_interval: float = option(
        1.0, "Seconds between looks for changed files or imports (0: never reload).", metavar="SECONDS"
    )
    max_query_bytes: int = option(
        100_000, "Bytes of SPARQL query text accepted (checked before anything reads it).", metavar="BYTES"
    )
    max_result_bytes: int = option(
        16 * 1024 * 1024, "Bytes of RDF terms one answer carries at most (then cut, and says so).", metavar="BYTES"
    )
    sparql_concurrency: int = option(
        8, "/sparql requests answered at once; more wait, within the time limit.", metavar="N"
    )
    worker_memory: int = option(
        1024, "MiB of memory a query worker may use; a query that needs more gets 503 (0: no limit).", metavar="MIB"
    )
    worker_in_memory_quads: int = option(
        200_000,
        "Query workers hold data of at most this many quads in memory (faster); more, read from disk (0: disk).",
        metavar="QUADS",
    )
    forwarded_allow_ips: list[str] = option(
        help="Trust X-Forwarded-Proto/-For only from this proxy address (repeat); none by default.",
        factory=list,
        metavar="ADDRESS",
    )
    # Not an option: ``wmkg serve`` derives it from --host, --port and --public-name.
    allowed_hosts: list[str] | None = None  # Host header values answered ("name" or "name:port"); None: any

    @property
    def limits(self) -> Limits:
        """The bounds every query of this app runs under."""
        return Limits(
            timeout=self.query_timeout,
            max_rows=self.max_rows,
            max_bytes=self.max_result_bytes,
            max_query_bytes=self.max_query_bytes,
            parse_seconds=min(3.0, self.query_timeout),
        )


def cors_origins(given: list[str]) -> list[str]:
    """What ``--cors`` asks for: ``*`` when not given, none for ``--cors none``, else the origins named."""
    if not given:
        return ["*"]
    return [] if [o.strip().casefold() for o in given] == ["none"] else list(given)


__all__ = ["Settings", "cors_origins", "option"]
