"""One base for every error a user can cause or fix: each class says its machine `code` and the
HTTP `status` it answers with, so the services map all of them with one handler
(services/contract.py) and never choose a status by reading a message (the MLServer / BentoML
pattern). The CLI prints the message of any of them as one `error:` line.

A platform error also subclasses the builtin it always was (ValueError, LookupError, ...), so
`except ValueError` in callers and the CLI keeps working.
"""

from __future__ import annotations


class PlatformError(Exception):
    """An error with a machine `code`, an HTTP `status` and, where a field is at fault, `fields`
    (`[{"field": ..., "problem": ...}]`)."""

    code: str = "platform_error"
    status: int = 400

    def describe(self) -> str:
        """The human message."""
        return str(self.args[0]) if self.args else type(self).__name__

    def field_problems(self) -> list[dict[str, str]]:
        """The fields at fault, for the error body's `fields`."""
        return []

    def headers(self) -> dict[str, str]:
        """Headers the answer carries (e.g. Retry-After)."""
        return {}


def field_problem(field: str, problem: str) -> list[dict[str, str]]:
    return [{"field": field, "problem": problem}]


class NotFound(PlatformError, LookupError):
    """Something the request names does not exist."""

    code = "not_found"
    status = 404


class Conflict(PlatformError, ValueError):
    """The request clashes with what is stored."""

    code = "conflict"
    status = 409


class Invalid(PlatformError, ValueError):
    """The request is well-formed but its content is wrong."""

    code = "invalid_request"
    status = 422


class FieldError(Invalid):
    """One named field (a query parameter, a body field) is at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field, self.message = field, message

    def field_problems(self) -> list[dict[str, str]]:
        return field_problem(self.field, self.message)


class Unavailable(PlatformError, RuntimeError):
    """A server the platform depends on does not answer."""

    code = "unavailable"
    status = 503


class DatabaseUnavailable(Unavailable):
    """The platform DB does not answer (stopped, restarting, unreachable): try again shortly."""

    code = "database_unavailable"

    def headers(self) -> dict[str, str]:
        return {"Retry-After": "5"}
