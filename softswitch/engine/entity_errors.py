"""Errors raised by the engine's runtime state when a control-plane write is refused.

The engine never imports grpc. Each :class:`ErrorCode` member has the name of the gRPC status code
that the P4Runtime server reports for the failed update, so the server maps a code to gRPC with
``grpc.StatusCode[err.code.name]``.
"""

from __future__ import annotations

import enum


class ErrorCode(enum.Enum):
    """The gRPC status codes that P4Runtime per-update errors use, by name."""

    INVALID_ARGUMENT = "INVALID_ARGUMENT"
    NOT_FOUND = "NOT_FOUND"
    ALREADY_EXISTS = "ALREADY_EXISTS"
    RESOURCE_EXHAUSTED = "RESOURCE_EXHAUSTED"
    PERMISSION_DENIED = "PERMISSION_DENIED"
    OUT_OF_RANGE = "OUT_OF_RANGE"
    UNIMPLEMENTED = "UNIMPLEMENTED"
    FAILED_PRECONDITION = "FAILED_PRECONDITION"
    # PI answers UNKNOWN whenever the BMv2 target itself refuses an operation that passed PI's own
    # checks (a member still in use, a clone session with truncation, an index past the end, ...).
    UNKNOWN = "UNKNOWN"


class EntityError(Exception):
    """A refused control-plane operation: a status code plus a human-readable message."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __str__(self) -> str:
        return f"{self.code.name}: {self.message}"

    def __repr__(self) -> str:
        return f"EntityError({self.code.name}, {self.message!r})"
