"""Errors a user can cause. Each carries a one-line message saying what and where.

The CLI prints the message and exits non-zero; it never shows a traceback for these.
"""


class WmkgError(Exception):
    """Base class of every error a user can cause (bad file, query, parameter, store)."""

    exit_code = 1


class InputError(WmkgError):
    """A data file cannot be read or parsed (names the file and line)."""

    exit_code = 2


class QueryError(WmkgError):
    """A query is unknown, malformed or not allowed (names the query and position)."""

    exit_code = 3


class ParameterError(WmkgError):
    """A query parameter is unknown, missing or cannot be resolved (names it)."""

    exit_code = 4


class StoreError(WmkgError):
    """A store or endpoint cannot be opened or answers with an error (names it or its URL)."""

    exit_code = 5
