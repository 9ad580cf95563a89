"""The exceptions kg raises.

Every error a user can cause is a ``KGError``; the CLI prints its message
(one line, no traceback unless ``--debug``) and exits 2. Non-conformance is
not an error: it is a ``ValidationReport`` whose ``conforms`` is False.

    KGError
    ├── InputError            a file or value given by the user is unusable
    │   ├── SourceFileError   a file cannot be read or parsed (names file:line:column)
    │   ├── LimitError        input over a configured size / length / depth limit
    │   └── ParameterError    a query parameter is missing or not of its type
    ├── ProvenanceError       statements without a described source article
    ├── QueryError            a saved query is malformed, or a query fails to run
    ├── ShapesError           the SHACL shapes are ill-formed, or break a rule of SHACL-SPARQL
    ├── EndpointError         a remote SPARQL endpoint is unreachable or answers badly
    └── StoreError            the data folder or a store cannot be written or locked
"""

from __future__ import annotations


class KGError(Exception):
    """Base of every error kg raises on purpose."""


class InputError(KGError):
    """A file or value given by the user is unusable."""


class SourceFileError(InputError):
    """A file cannot be read or parsed.

    ``str()`` reads ``FILE:LINE:COLUMN: what is wrong`` (line and column where known).
    """

    def __init__(self, path: object, reason: str, *, line: int | None = None,
                 column: int | None = None) -> None:
        self.path = str(path)
        self.reason = reason
        self.line = line
        self.column = column
        where = self.path
        if line is not None:
            where += f":{line}"
            if column is not None:
                where += f":{column}"
        super().__init__(f"{where}: {reason}")


class LimitError(InputError):
    """Input is over a configured limit (file size, literal length, nesting depth)."""


class ParameterError(InputError):
    """A query parameter is missing, unknown, or its value is not of its declared type."""


class ProvenanceError(KGError):
    """Statements lack a source article described with publisher and date."""


class QueryError(KGError):
    """A saved query is malformed (names file and line) or a query fails to run."""


class ShapesError(KGError):
    """The shapes graph is ill-formed (SHACL's "failure"): it names the shape and what is wrong.

    Also raised when a SHACL-SPARQL query breaks the rules of pre-binding (MINUS,
    VALUES, SERVICE, a nested SELECT without ``$this``) or reports ``?failure``.
    """


class EndpointError(KGError):
    """A remote SPARQL endpoint is unreachable, refuses, or answers something unreadable."""


class StoreError(KGError):
    """The data folder or a store cannot be written, or its lock cannot be taken."""


__all__ = [
    "KGError", "InputError", "SourceFileError", "LimitError", "ParameterError",
    "ProvenanceError", "QueryError", "ShapesError", "EndpointError", "StoreError",
]
