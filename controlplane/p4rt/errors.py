"""Errors of the P4Runtime client layer.

Every failed call to a switch — a Write with some updates refused, a Read, a pipeline push, a
message on the stream, a switch that cannot be reached — is reported as ONE exception type,
:class:`P4RuntimeError`. It carries the gRPC status code and message of the call and, for a
Write, one :class:`UpdateError` per refused update (its index in the caller's whole write, across
batches, with the update's own code and message). Predicates answer the questions a controller
asks: "were all failures NOT_FOUND?" (:attr:`P4RuntimeError.all_not_found`), "did any update
already exist?" (:attr:`P4RuntimeError.any_already_exists`), "are we not the primary?"
(:attr:`P4RuntimeError.is_not_primary`), "does the switch have no pipeline yet?"
(:attr:`P4RuntimeError.is_pipeline_missing`).

Each target words its whole-request errors its own way; that wording lives in
:data:`TARGET_WORDINGS` and nowhere else.

Two errors are not gRPC failures and so have their own types: :class:`InvalidEntityError` (an
entity that cannot be encoded against the P4Info, found before anything is sent) and
:class:`PipelineFileError` (missing or unreadable build outputs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from finsy import GRPCStatusCode, P4ClientError
from finsy.proto import p4r

__all__ = [
    "TARGET_WORDINGS",
    "GRPCStatusCode",
    "InvalidEntityError",
    "P4RuntimeError",
    "PipelineFileError",
    "TargetWording",
    "UpdateError",
    "status_code",
]

#: How many per-update failures ``str(P4RuntimeError)`` lists before summarizing the rest.
SHOWN_DETAILS = 5


@dataclass(frozen=True, slots=True)
class TargetWording:
    """How one target words the whole-request errors that share a gRPC code with others.

    Each field is a regular expression searched (case-insensitively) in the status message.
    """

    target: str
    #: PERMISSION_DENIED for a Write or SetForwardingPipelineConfig from a non-primary client.
    not_primary: str
    #: FAILED_PRECONDITION for a request made before any pipeline was set.
    no_pipeline: str
    #: INVALID_ARGUMENT closing a stream whose election id another client already holds.
    election_id_in_use: str


#: The targets this controller drives, with their wording (softswitch follows simple_switch_grpc).
TARGET_WORDINGS: tuple[TargetWording, ...] = (
    TargetWording(
        target="softswitch",
        not_primary=r"^not primary\b",
        no_pipeline=r"^no forwarding pipeline config set for this device",
        election_id_in_use=r"election id already exists",
    ),
    TargetWording(
        target="bmv2",  # simple_switch_grpc, through PI
        not_primary=r"^not primary\b",
        no_pipeline=r"no forwarding pipeline config set for this device",
        election_id_in_use=r"election id already exists",
    ),
    TargetWording(
        target="stratum",
        not_primary=r"\bnot (?:the )?(?:primary|master)\b",
        no_pipeline=r"no valid forwarding pipeline config has been pushed",
        election_id_in_use=r"election id is already used",
    ),
)


def _combined(kind: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{getattr(w, kind)})" for w in TARGET_WORDINGS), re.IGNORECASE)


_NOT_PRIMARY = _combined("not_primary")
_NO_PIPELINE = _combined("no_pipeline")
_ELECTION_ID_IN_USE = _combined("election_id_in_use")


def status_code(number: int) -> GRPCStatusCode:
    """The gRPC status code of a number from the wire (UNKNOWN for a number outside the enum)."""
    try:
        return GRPCStatusCode(number)
    except ValueError:
        return GRPCStatusCode.UNKNOWN


@dataclass(frozen=True, slots=True)
class UpdateError:
    """One refused update of a Write."""

    #: Position of the update in the caller's whole write (counting across batches), from 0.
    index: int
    code: GRPCStatusCode
    message: str
    #: The target's error space and code (e.g. PI's "ALL-sswitch-p4org").
    space: str = ""
    target_code: int = 0
    #: The update as sent, and the caller's object it was made from (a finsy entity, ...).
    update: p4r.Update | None = field(default=None, compare=False, repr=False)
    source: object | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        what = f" {self.source!r}" if self.source is not None else ""
        return f"[{self.index}] {self.code.name}: {self.message}{what}"


class P4RuntimeError(Exception):
    """A failed P4Runtime call, with the per-update details of a Write.

    ``code`` is the call's gRPC status (UNKNOWN for a Write whose updates failed one by one, as
    P4Runtime specifies); ``details`` lists only the failed updates, in index order.
    """

    operation: str
    code: GRPCStatusCode
    message: str
    switch: str
    details: tuple[UpdateError, ...]
    #: For a batched Write that failed as a whole: how many updates earlier batches had sent.
    sent_before: int
    #: How many updates the whole write had (0 when not a Write).
    total_updates: int

    def __init__(
        self,
        *,
        operation: str,
        code: GRPCStatusCode,
        message: str,
        switch: str = "",
        details: Iterable[UpdateError] = (),
        sent_before: int = 0,
        total_updates: int = 0,
    ) -> None:
        self.operation = operation
        self.code = code
        self.message = message
        self.switch = switch
        self.details = tuple(sorted(details, key=lambda d: d.index))
        self.sent_before = sent_before
        self.total_updates = total_updates
        super().__init__(self._describe())

    # ------------------------------------------------------------------------------ building

    @classmethod
    def from_client_error(
        cls,
        error: P4ClientError,
        *,
        operation: str,
        switch: str = "",
        index_offset: int = 0,
        updates: Sequence[p4r.Update] = (),
        sources: Sequence[object] = (),
        sent_before: int = 0,
        total_updates: int = 0,
    ) -> P4RuntimeError:
        """Decode finsy's error; ``updates`` is the batch sent, starting at ``index_offset`` of
        the caller's whole write (whose objects are ``sources``)."""
        details: list[UpdateError] = []
        for index, item in error.details.items():
            number = index_offset + index
            details.append(
                UpdateError(
                    index=number,
                    code=item.canonical_code,
                    message=item.message,
                    space=item.space,
                    target_code=item.code,
                    update=updates[index] if index < len(updates) else None,
                    source=sources[number] if number < len(sources) else None,
                )
            )
        return cls(
            operation=operation,
            code=error.code,
            message=error.message,
            switch=switch,
            details=details,
            sent_before=sent_before,
            total_updates=total_updates,
        )

    @classmethod
    def from_stream_error(cls, error: p4r.StreamError, *, switch: str = "") -> P4RuntimeError:
        """A StreamError the switch sent back (for a bad packet-out or digest ack)."""
        which = error.WhichOneof("details") or "stream message"
        return cls(
            operation=f"StreamChannel ({which})",
            code=status_code(error.canonical_code),
            message=error.message,
            switch=switch,
        )

    @classmethod
    def not_connected(cls, switch: str, operation: str, why: str = "not connected") -> P4RuntimeError:
        return cls(operation=operation, code=GRPCStatusCode.UNAVAILABLE, message=why, switch=switch)

    @classmethod
    def merge(cls, errors: Sequence[P4RuntimeError], *, total_updates: int) -> P4RuntimeError:
        """One error for a batched Write whose batches failed update by update."""
        details = [d for e in errors for d in e.details]
        first = errors[0]
        return cls(
            operation=first.operation,
            code=GRPCStatusCode.UNKNOWN,
            message=f"{len(details)} of {total_updates} updates failed",
            switch=first.switch,
            details=details,
            total_updates=total_updates,
        )

    # ------------------------------------------------------------------------------ predicates

    @property
    def codes(self) -> frozenset[GRPCStatusCode]:
        """The codes of the failed updates."""
        return frozenset(d.code for d in self.details)

    def only(self, *codes: GRPCStatusCode) -> bool:
        """True when there are per-update failures and every one has one of ``codes``."""
        return bool(self.details) and all(d.code in codes for d in self.details)

    def any(self, *codes: GRPCStatusCode) -> bool:
        """True when at least one update failed with one of ``codes``."""
        return any(d.code in codes for d in self.details)

    @property
    def all_not_found(self) -> bool:
        """Every failed update was NOT_FOUND (a MODIFY or DELETE of something absent)."""
        return self.only(GRPCStatusCode.NOT_FOUND)

    @property
    def all_already_exists(self) -> bool:
        return self.only(GRPCStatusCode.ALREADY_EXISTS)

    @property
    def any_already_exists(self) -> bool:
        """Some INSERT found its key already present."""
        return self.any(GRPCStatusCode.ALREADY_EXISTS)

    @property
    def any_not_found(self) -> bool:
        return self.any(GRPCStatusCode.NOT_FOUND)

    @property
    def is_not_primary(self) -> bool:
        """A write refused because this client is not the primary."""
        return self.code == GRPCStatusCode.PERMISSION_DENIED and (
            not self.details or _NOT_PRIMARY.search(self.message) is not None
        )

    @property
    def is_pipeline_missing(self) -> bool:
        """The switch has no forwarding pipeline yet."""
        return self.code == GRPCStatusCode.FAILED_PRECONDITION and _NO_PIPELINE.search(self.message) is not None

    @property
    def is_election_id_in_use(self) -> bool:
        return self.code == GRPCStatusCode.INVALID_ARGUMENT and _ELECTION_ID_IN_USE.search(self.message) is not None

    @property
    def is_unavailable(self) -> bool:
        """The switch could not be reached (or the connection dropped)."""
        return self.code == GRPCStatusCode.UNAVAILABLE

    # ------------------------------------------------------------------------------ text

    def _describe(self) -> str:
        where = f"switch {self.switch}: " if self.switch else ""
        text = f"{where}{self.operation} failed: {self.code.name}: {self.message}"
        if self.sent_before:
            text += f" (the {self.sent_before} updates before this batch were sent)"
        if self.details:
            shown = "; ".join(str(d) for d in self.details[:SHOWN_DETAILS])
            more = len(self.details) - SHOWN_DETAILS
            text += f" — {shown}" + (f"; and {more} more" if more > 0 else "")
        return text


class InvalidEntityError(ValueError):
    """An entity that cannot be encoded against the P4Info; nothing was sent."""

    def __init__(self, index: int, item: object, reason: str) -> None:
        self.index = index
        self.item = item
        self.reason = reason
        super().__init__(f"item {index} ({type(item).__name__}): {reason}")


class PipelineFileError(ValueError):
    """A P4Info or device-config file that is missing or cannot be read."""
