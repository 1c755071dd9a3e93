"""Tests for softswitch.engine.entity_errors."""

from __future__ import annotations

from softswitch.engine.entity_errors import EntityError, ErrorCode


def test_codes_are_named_after_grpc_status_codes() -> None:
    names = {c.name for c in ErrorCode}
    assert {
        "INVALID_ARGUMENT",
        "NOT_FOUND",
        "ALREADY_EXISTS",
        "RESOURCE_EXHAUSTED",
        "PERMISSION_DENIED",
        "OUT_OF_RANGE",
        "UNIMPLEMENTED",
        "FAILED_PRECONDITION",
        "UNKNOWN",
    } == names
    assert all(c.value == c.name for c in ErrorCode)


def test_error_carries_code_and_message() -> None:
    err = EntityError(ErrorCode.NOT_FOUND, "no such entry")
    assert err.code is ErrorCode.NOT_FOUND
    assert err.message == "no such entry"
    assert str(err) == "NOT_FOUND: no such entry"
    assert "NOT_FOUND" in repr(err)
    assert isinstance(err, Exception)
