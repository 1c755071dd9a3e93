"""Digests: DigestEntry configuration, DigestList batching, DigestListAck and ack timeouts (as PI).

* A digest must be configured with a DigestEntry INSERT (``max_timeout_ns``, ``max_list_size``,
  ``ack_timeout_ns``) before any of its samples are sent; samples of unconfigured digests are
  dropped.
* A list goes out when it holds ``max_list_size`` samples (0 or 1: every sample alone), or
  ``max_timeout_ns`` after its first sample (at once when that is 0).
* With ``ack_timeout_ns`` > 0, a sample equal to one already waiting in the buffer or in a list
  not yet acknowledged is suppressed, until the list is acked or the ack timeout passes.
* ``list_id`` counts from 1 per digest. Lists go to the primary controller only.

Thread-safe: samples arrive from the data plane, acks from streams, ticks from a timer thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from finsy.proto import p4d, p4r

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.p4runtime.p4info_index import DigestInfo, P4InfoIndex
from softswitch.p4runtime.program_objects import DigestSample
from softswitch.p4runtime.wire import canonical_bytes

__all__ = ["DigestManager"]

SendFn = Callable[[p4r.StreamMessageResponse], bool]


@dataclass(slots=True)
class _Config:
    max_timeout_ns: int
    max_list_size: int
    ack_timeout_ns: int


@dataclass(slots=True)
class _DigestState:
    info: DigestInfo
    config: _Config | None = None
    buffer: list[tuple[int, ...]] = field(default_factory=list)
    buffer_started_ns: int = 0
    next_list_id: int = 1
    # list id -> (samples, ack deadline)
    unacked: dict[int, tuple[list[tuple[int, ...]], int]] = field(default_factory=dict)
    in_flight: dict[tuple[int, ...], int] = field(default_factory=dict)  # sample -> count


def _bad(message: str) -> EntityError:
    return EntityError(ErrorCode.INVALID_ARGUMENT, message)


class DigestManager:
    """Digest state of one pipeline. ``send`` delivers a message to the primary (False if none)."""

    def __init__(self, index: P4InfoIndex, send: SendFn, clock: Callable[[], int]) -> None:
        self._lock = threading.Lock()
        self._send = send
        self._clock = clock
        self._digests: dict[int, _DigestState] = {d.id: _DigestState(d) for d in index.digests.values()}
        self._by_name: dict[str, _DigestState] = {d.info.name: d for d in self._digests.values()}

    # -------------------------------------------------------------------- configuration

    def write_config(self, update_type: int, entry: p4r.DigestEntry) -> None:
        state = self._digests.get(entry.digest_id)
        if state is None:
            raise _bad(f"{entry.digest_id} is not a valid digest id")
        if state.info.kind == "unsupported" or 0 in state.info.member_widths:
            raise EntityError(
                ErrorCode.UNIMPLEMENTED, f"digest {state.info.name!r}: only bitstring members are supported"
            )
        with self._lock:
            if update_type == p4r.Update.INSERT:
                if state.config is not None:
                    raise EntityError(ErrorCode.ALREADY_EXISTS, f"digest {entry.digest_id} is already configured")
                state.config = self._config(entry)
            elif update_type == p4r.Update.MODIFY:
                if state.config is None:
                    raise EntityError(ErrorCode.NOT_FOUND, f"digest {entry.digest_id} is not configured")
                state.config = self._config(entry)
            elif update_type == p4r.Update.DELETE:
                if state.config is None:
                    raise EntityError(ErrorCode.NOT_FOUND, f"digest {entry.digest_id} is not configured")
                state.config = None
                state.buffer.clear()
                state.unacked.clear()
                state.in_flight.clear()
            else:
                raise _bad("invalid update type for DigestEntry")

    @staticmethod
    def _config(entry: p4r.DigestEntry) -> _Config:
        config = entry.config
        if config.max_timeout_ns < 0 or config.ack_timeout_ns < 0 or config.max_list_size < 0:
            raise _bad("digest config values must not be negative")
        return _Config(config.max_timeout_ns, config.max_list_size, config.ack_timeout_ns)

    def read_config(self, entry: p4r.DigestEntry) -> list[bytes]:
        """The serialized DigestEntry; NOT_FOUND when the digest is not configured (as PI answers)."""
        if entry.digest_id == 0:
            raise EntityError(ErrorCode.UNIMPLEMENTED, "digest_id must be set when reading DigestEntry")
        state = self._digests.get(entry.digest_id)
        if state is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"{entry.digest_id} is not a valid digest id")
        with self._lock:
            config = state.config
            if config is None:
                raise EntityError(ErrorCode.NOT_FOUND, f"Digest {entry.digest_id} not configured")
            out = p4r.DigestEntry(digest_id=entry.digest_id)
            out.config.max_timeout_ns = config.max_timeout_ns
            out.config.max_list_size = config.max_list_size
            out.config.ack_timeout_ns = config.ack_timeout_ns
        data: bytes = out.SerializeToString()
        return [data]

    def configured_entries(self) -> list[p4r.DigestEntry]:
        """Every configured DigestEntry (to carry them over a pipeline reconcile)."""
        out = []
        with self._lock:
            for did, state in self._digests.items():
                if state.config is not None:
                    entry = p4r.DigestEntry(digest_id=did)
                    entry.config.max_timeout_ns = state.config.max_timeout_ns
                    entry.config.max_list_size = state.config.max_list_size
                    entry.config.ack_timeout_ns = state.config.ack_timeout_ns
                    out.append(entry)
        return out

    # ------------------------------------------------------------------------- samples

    def add_samples(self, samples: list[DigestSample]) -> None:
        now = self._clock()
        outgoing: list[p4r.StreamMessageResponse] = []
        with self._lock:
            for name, values in samples:
                state = self._by_name.get(name)
                if state is None or state.config is None:
                    continue
                config = state.config
                if config.ack_timeout_ns > 0:
                    if values in state.in_flight:
                        continue
                    state.in_flight[values] = 1
                if not state.buffer:
                    state.buffer_started_ns = now
                state.buffer.append(values)
                if config.max_timeout_ns == 0 or len(state.buffer) >= max(config.max_list_size, 1):
                    outgoing.append(self._flush(state, now))
        for message in outgoing:
            self._send(message)

    def _flush(self, state: _DigestState, now: int) -> p4r.StreamMessageResponse:
        samples = state.buffer
        state.buffer = []
        list_id = state.next_list_id
        state.next_list_id += 1
        assert state.config is not None
        if state.config.ack_timeout_ns > 0:
            state.unacked[list_id] = (samples, now + state.config.ack_timeout_ns)
        message = p4r.StreamMessageResponse()
        digest = message.digest
        digest.digest_id = state.info.id
        digest.list_id = list_id
        digest.timestamp = now
        kind = state.info.kind
        for values in samples:
            digest.data.append(_p4data(kind, values))
        return message

    def ack(self, digest_id: int, list_id: int) -> None:
        with self._lock:
            state = self._digests.get(digest_id)
            if state is None:
                return
            pending = state.unacked.pop(list_id, None)
            if pending is not None:
                for values in pending[0]:
                    state.in_flight.pop(values, None)

    def tick(self) -> None:
        """Send lists whose max timeout has passed; forget lists whose ack timed out."""
        now = self._clock()
        outgoing: list[p4r.StreamMessageResponse] = []
        with self._lock:
            for state in self._digests.values():
                config = state.config
                if config is None:
                    continue
                if state.buffer and now - state.buffer_started_ns >= config.max_timeout_ns:
                    outgoing.append(self._flush(state, now))
                if state.unacked:
                    for list_id, (samples, deadline) in list(state.unacked.items()):
                        if now >= deadline:
                            del state.unacked[list_id]
                            for values in samples:
                                state.in_flight.pop(values, None)
        for message in outgoing:
            self._send(message)


def _p4data(kind: str, values: tuple[int, ...]) -> p4d.P4Data:
    if kind == "bitstring":
        return p4d.P4Data(bitstring=canonical_bytes(values[0] if values else 0))
    members = [p4d.P4Data(bitstring=canonical_bytes(v)) for v in values]
    if kind == "tuple":
        return p4d.P4Data(tuple=p4d.P4StructLike(members=members))
    return p4d.P4Data(struct=p4d.P4StructLike(members=members))
