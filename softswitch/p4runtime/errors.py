"""The P4Runtime error model, as simple_switch_grpc (PI) reports errors.

Two kinds of failure:

* **Whole-request failures** (:class:`RequestError`): the RPC ends with one gRPC status and nothing
  is applied. FAILED_PRECONDITION when no pipeline is set, PERMISSION_DENIED for a writer that is
  not the primary, UNIMPLEMENTED for an atomicity other than CONTINUE_ON_ERROR, NOT_FOUND for an
  unknown device id, INVALID_ARGUMENT for a malformed pipeline config, ...
* **Per-update failures** in a Write batch: every update is tried in order. If any fails, the RPC
  ends with UNKNOWN and the ``grpc-status-details-bin`` trailer holds a ``google.rpc.Status`` whose
  ``details`` list one ``p4.v1.Error`` per update, in request order, ``OK`` for those that
  succeeded (:func:`batch_status`).

The engine raises :class:`~softswitch.engine.entity_errors.EntityError`, whose code names a gRPC
status code; :func:`rpc_code_of` turns it into the number carried on the wire.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from finsy.proto import p4r, rpc_code, rpc_status

from softswitch.engine.entity_errors import EntityError, ErrorCode

__all__ = [
    "ERROR_SPACE",
    "OK",
    "BatchFailed",
    "RequestError",
    "UpdateResult",
    "batch_status",
    "entity_error",
    "rpc_code_of",
]

OK = rpc_code.OK
#: The error "space" PI writes in per-update errors (target-arch-vendor).
ERROR_SPACE = "ALL-sswitch-p4org"

_CODES: dict[ErrorCode, int] = {code: rpc_code.Code.Value(code.name) for code in ErrorCode}


def rpc_code_of(code: ErrorCode) -> int:
    """The google.rpc.Code number for an engine error code."""
    return _CODES[code]


class RequestError(Exception):
    """A whole RPC fails with ``code`` (a google.rpc.Code number) and ``message``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    @classmethod
    def of(cls, code: ErrorCode, message: str) -> RequestError:
        return cls(rpc_code_of(code), message)

    def __str__(self) -> str:
        return f"{rpc_code.Code.Name(self.code)}: {self.message}"


def entity_error(code: ErrorCode, message: str) -> EntityError:
    """Shorthand used by the translation code: a refused update."""
    return EntityError(code, message)


@dataclass(frozen=True, slots=True)
class UpdateResult:
    """The outcome of one update: ``code`` is a google.rpc.Code number (OK for success)."""

    code: int
    message: str = ""


SUCCESS = UpdateResult(OK)


class BatchFailed(Exception):
    """A Write batch in which at least one update failed; carries the encoded status."""

    def __init__(self, status: rpc_status.Status) -> None:
        super().__init__(status.message)
        self.status = status

    @property
    def code(self) -> int:
        return int(self.status.code)

    @property
    def message(self) -> str:
        return str(self.status.message)

    def details_bin(self) -> bytes:
        """The bytes of the ``grpc-status-details-bin`` trailer."""
        data: bytes = self.status.SerializeToString()
        return data


def batch_status(results: Sequence[UpdateResult]) -> BatchFailed | None:
    """None when every update succeeded, else the UNKNOWN status with one Error per update."""
    failed = [r for r in results if r.code != OK]
    if not failed:
        return None
    status = rpc_status.Status(code=rpc_code.UNKNOWN)
    if len(failed) == 1:
        status.message = f"Write failed: {failed[0].message}"
    else:
        status.message = f"Write failed: {len(failed)} of {len(results)} updates were refused"
    details = status.details
    ok_bytes: bytes | None = None
    for result in results:
        item = details.add()
        if result.code == OK:
            if ok_bytes is None:
                ok_bytes = p4r.Error(canonical_code=OK).SerializeToString()
            item.type_url = "type.googleapis.com/p4.v1.Error"
            item.value = ok_bytes
        else:
            item.Pack(p4r.Error(canonical_code=result.code, message=result.message, space=ERROR_SPACE))
    return BatchFailed(status)
