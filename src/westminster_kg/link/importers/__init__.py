"""Datasets in: RDF files, CSV (by its well-known columns or a mapping) or Popolo JSON, each in a graph of its own.

Each import goes into its own named graph ``.../graph/import/NAME``, written to ``imports/NAME.nq``
only after every file of it was read, typed and checked, and atomically (``dataset``).
"""

from __future__ import annotations

from westminster_kg.link.importers.csv_mapping import CsvMapping
from westminster_kg.link.importers.dataset import (
    IMPORT_FORMATS,
    ImportResult,
    check_graph_name,
    detect_format,
    drop_import,
    import_dataset,
    import_graph_iri,
    list_imports,
    mapping_file,
)

__all__ = [
    "IMPORT_FORMATS",
    "CsvMapping",
    "ImportResult",
    "check_graph_name",
    "detect_format",
    "drop_import",
    "import_dataset",
    "import_graph_iri",
    "list_imports",
    "mapping_file",
]
