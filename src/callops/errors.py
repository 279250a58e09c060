"""The one exception tree of callops.

    CallopsError                 anything callops refuses to do, with a message for a person
     ├── InvalidInput            bad input: names the file, line and field where known
     ├── NotFound                a named thing does not exist
     ├── PermissionDenied        the user's role lacks the right
     ├── Conflict                the action clashes with the current state (e.g. a decided appeal)
     ├── Infeasible              no solution meets the constraints (staffing, schedules)
     └── TimeLimit               heavy work ran past its wall-clock limit (``callops.deadline``)

The CLI prints the message and exits 1; the web app maps each class to one HTTP status.
Anything else that escapes is a bug.
"""

from __future__ import annotations

__all__ = ["CallopsError", "InvalidInput", "NotFound", "PermissionDenied", "Conflict", "Infeasible", "TimeLimit"]


class CallopsError(Exception):
    """Base of every error callops raises on purpose."""

    http_status = 400


class InvalidInput(CallopsError):
    """Input that cannot be used; says where (file, line counting the header as 1, field) and why."""

    def __init__(
        self,
        reason: str,
        *,
        file: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.field = field
        super().__init__(self._format())

    def _format(self) -> str:
        where = []
        if self.file is not None:
            where.append(self.file)
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.field is not None:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.reason}" if where else self.reason


class NotFound(CallopsError):
    http_status = 404


class PermissionDenied(CallopsError):
    http_status = 403


class Conflict(CallopsError):
    http_status = 409


class Infeasible(CallopsError):
    http_status = 422


class TimeLimit(CallopsError):
    """Work stopped at its wall-clock limit (``limit_s`` seconds); the web answers 503."""

    http_status = 503

    def __init__(self, message: str, *, limit_s: float) -> None:
        self.limit_s = limit_s
        super().__init__(message)
