"""A small typed P4Runtime client for the edge PTF tests (the one adapter over grpc and finsy.proto).

Everything the tests write reaches the switch through P4Runtime: table entries, default actions,
direct and indirect meters, multicast groups and the digest configuration. Names are P4Info names
(``EdgeIngress.access.device_v6``, match field ``src_addr``, action ``EdgeIngress.access.admit_v6``),
looked up in the P4Info file the test was given, so the same tests run against softswitch and BMv2.

:class:`Stream` reads the StreamChannel on a thread and sorts what arrives (packet-ins, digests,
idle-timeout notifications) into queues the tests wait on with a deadline.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
from finsy.proto import p4i, p4r, p4r_grpc
from google.protobuf import text_format  # type: ignore[import-untyped]

WAIT_S = 10.0
#: deadline of every unary RPC and Read (BMv2 needs about 1 s to load edge.p4)
RPC_TIMEOUT_S = 60.0
GRPC_MESSAGE_LIMIT = 64 * 1024 * 1024


class P4RuntimeTestError(Exception):
    """A P4Runtime call the test needed failed; the message names the call and the server's reason."""


# ---------------------------------------------------------------------------------------- values


def encode(value: int) -> bytes:
    """The canonical (shortest big-endian) encoding of a P4Runtime bitstring."""
    if value < 0:
        raise ValueError(f"negative P4Runtime value {value}")
    return value.to_bytes(max(1, (value.bit_length() + 7) // 8), "big")


def decode(data: bytes) -> int:
    return int.from_bytes(data, "big")


@dataclass(frozen=True, slots=True)
class Lpm:
    """An LPM match: ``value`` with its low ``max_width - prefix_len`` bits zero."""

    value: int
    prefix_len: int


MatchValue = int | Lpm  # an int is an exact match


@dataclass(frozen=True, slots=True)
class MeterRates:
    """P4Runtime meter rates: per second (packets or bytes, as the meter counts) and bursts."""

    cir: int
    cburst: int
    pir: int
    pburst: int


@dataclass(frozen=True, slots=True)
class Entry:
    """One table entry, by P4Info names. ``match`` maps match field names to values."""

    table: str
    match: Mapping[str, MatchValue]
    action: str
    params: Mapping[str, int] = field(default_factory=dict)
    idle_timeout_ns: int = 0
    meter: MeterRates | None = None


@dataclass(frozen=True, slots=True)
class PacketIn:
    payload: bytes
    metadata: Mapping[str, int]


@dataclass(frozen=True, slots=True)
class DigestList:
    digest: str
    list_id: int
    samples: list[dict[str, int]]


@dataclass(frozen=True, slots=True)
class IdleEntry:
    """A table entry named in an IdleTimeoutNotification."""

    table: str
    match: dict[str, int]


# ---------------------------------------------------------------------------------------- P4Info


@dataclass(frozen=True, slots=True)
class _Field:
    id: int
    bitwidth: int


@dataclass(frozen=True, slots=True)
class _Named:
    id: int
    fields: dict[str, _Field]


class P4InfoNames:
    """Ids of the P4Info objects the tests use, by fully qualified name or alias."""

    def __init__(self, info: Any) -> None:
        self.info = info
        self.tables = {name: _Named(t.preamble.id, _fields(t.match_fields)) for t in info.tables for name in _names(t)}
        self.actions = {name: _Named(a.preamble.id, _fields(a.params)) for a in info.actions for name in _names(a)}
        self.counters = {name: c.preamble.id for c in info.counters for name in _names(c)}
        self.meters = {name: m.preamble.id for m in info.meters for name in _names(m)}
        self.digests = {name: d.preamble.id for d in info.digests for name in _names(d)}
        self.digest_names = {d.preamble.id: d.preamble.name for d in info.digests}
        self.table_names = {t.preamble.id: t.preamble.name for t in info.tables}
        self.packet_metadata = {
            name: _Named(m.preamble.id, _fields(m.metadata)) for m in info.controller_packet_metadata for name in _names(m)
        }
        self.struct_members: dict[str, list[str]] = {
            name: [member.name for member in struct.members] for name, struct in info.type_info.structs.items()
        }
        self.digest_structs = {d.preamble.id: d.type_spec.struct.name for d in info.digests}

    @classmethod
    def from_file(cls, path: Path) -> P4InfoNames:
        info = p4i.P4Info()
        text_format.Parse(path.read_text(), info)
        return cls(info)

    def table(self, name: str) -> _Named:
        found: _Named = _lookup(self.tables, name, "table")
        return found

    def action(self, name: str) -> _Named:
        found: _Named = _lookup(self.actions, name, "action")
        return found


def _names(item: Any) -> tuple[str, str]:
    return (str(item.preamble.name), str(item.preamble.alias))


def _fields(items: Any) -> dict[str, _Field]:
    return {str(item.name): _Field(int(item.id), int(item.bitwidth)) for item in items}


def _lookup(table: Mapping[str, Any], name: str, kind: str) -> Any:
    try:
        return table[name]
    except KeyError:
        raise P4RuntimeTestError(f"the P4Info has no {kind} named {name!r}") from None


# ---------------------------------------------------------------------------------------- stream


class Stream:
    """One StreamChannel. Responses are sorted into a queue per kind by a reader thread."""

    def __init__(self, stub: Any, names: P4InfoNames) -> None:
        self._names = names
        self._requests: queue.Queue[Any] = queue.Queue()
        self._queues: dict[str, queue.Queue[Any]] = {
            kind: queue.Queue() for kind in ("arbitration", "packet", "digest", "idle_timeout_notification", "error")
        }
        self._done = threading.Event()
        self._call = stub.StreamChannel(self._outgoing())
        threading.Thread(target=self._read, name="p4rt-stream", daemon=True).start()

    def _outgoing(self) -> Iterator[Any]:
        while True:
            item = self._requests.get()
            if item is None:
                return
            yield item

    def _read(self) -> None:
        try:
            for response in self._call:
                kind = response.WhichOneof("update")
                if kind in self._queues:
                    self._queues[kind].put(response)
        except grpc.RpcError:
            pass
        finally:
            self._done.set()

    def send(self, request: Any) -> None:
        self._requests.put(request)

    def _next(self, kind: str, timeout: float) -> Any:
        try:
            return self._queues[kind].get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError(f"no {kind} message on the P4Runtime stream within {timeout:g} s") from None

    def arbitrate(self, election_id: int, device_id: int) -> None:
        request = p4r.StreamMessageRequest()
        request.arbitration.device_id = device_id
        request.arbitration.election_id.high = election_id >> 64
        request.arbitration.election_id.low = election_id & (2**64 - 1)
        self.send(request)
        response = self._next("arbitration", WAIT_S)
        if response.arbitration.status.code != 0:
            raise P4RuntimeTestError(f"arbitration: not primary: {response.arbitration.status.message}")

    # ------------------------------------------------------------------ packet I/O

    def packet_out(self, payload: bytes, **metadata: int) -> None:
        """A PacketOut with the ``packet_out`` controller metadata named in ``metadata``."""
        fields = self._names.packet_metadata["packet_out"].fields
        request = p4r.StreamMessageRequest()
        request.packet.payload = payload
        for name, value in metadata.items():
            request.packet.metadata.add(metadata_id=_lookup(fields, name, "packet_out field").id, value=encode(value))
        self.send(request)

    def next_packet_in(self, timeout: float = WAIT_S) -> PacketIn:
        message = self._next("packet", timeout).packet
        fields = {f.id: name for name, f in self._names.packet_metadata["packet_in"].fields.items()}
        values = {fields.get(m.metadata_id, str(m.metadata_id)): decode(m.value) for m in message.metadata}
        return PacketIn(bytes(message.payload), values)

    def packet_ins_waiting(self) -> int:
        return self._queues["packet"].qsize()

    # ------------------------------------------------------------------ digests

    def next_digest(self, timeout: float = WAIT_S, *, ack: bool = True) -> DigestList:
        message = self._next("digest", timeout).digest
        struct = self._names.digest_structs.get(message.digest_id, "")
        members = self._names.struct_members.get(struct, [])
        samples = []
        for data in message.data:
            values = [decode(item.bitstring) for item in data.struct.members]
            samples.append(dict(zip(members, values, strict=True)))
        if ack:
            request = p4r.StreamMessageRequest()
            request.digest_ack.digest_id = message.digest_id
            request.digest_ack.list_id = message.list_id
            self.send(request)
        return DigestList(self._names.digest_names.get(message.digest_id, "?"), int(message.list_id), samples)

    def digests_waiting(self) -> int:
        return self._queues["digest"].qsize()

    # ------------------------------------------------------------------ idle timeouts

    def next_idle_timeout(self, timeout: float = WAIT_S) -> list[IdleEntry]:
        message = self._next("idle_timeout_notification", timeout).idle_timeout_notification
        out = []
        for entry in message.table_entry:
            table = self._names.table_names.get(entry.table_id, str(entry.table_id))
            fields = {f.id: name for name, f in self._names.table(table).fields.items()}
            match = {fields[m.field_id]: _match_int(m) for m in entry.match}
            out.append(IdleEntry(table, match))
        return out

    def errors(self) -> list[str]:
        found = []
        while True:
            try:
                found.append(str(self._queues["error"].get_nowait().error))
            except queue.Empty:
                return found

    def close(self) -> None:
        self._requests.put(None)
        self._call.cancel()
        self._done.wait(timeout=WAIT_S)


def _match_int(match: Any) -> int:
    kind = match.WhichOneof("field_match_type")
    return decode(getattr(match, kind).value)


# ---------------------------------------------------------------------------------------- client


class EdgeRuntime:
    """A primary P4Runtime controller for one switch."""

    def __init__(self, address: str, p4info_path: Path, *, device_id: int = 0) -> None:
        self.names = P4InfoNames.from_file(p4info_path)
        self.device_id = device_id
        self._channel = grpc.insecure_channel(
            address,
            options=[
                ("grpc.max_receive_message_length", GRPC_MESSAGE_LIMIT),
                ("grpc.max_send_message_length", GRPC_MESSAGE_LIMIT),
            ],
        )
        self._stub = p4r_grpc.P4RuntimeStub(self._channel)
        self._election_id = 0
        self.stream: Stream | None = None
        #: multicast groups this controller created, for :meth:`delete_multicast_groups`
        self.multicast_groups: set[int] = set()

    def close(self) -> None:
        if self.stream is not None:
            self.stream.close()
        self._channel.close()

    def become_primary(self, election_id: int) -> Stream:
        """Open the stream and arbitrate; retries while the server is still starting."""
        deadline = time.monotonic() + WAIT_S
        while True:
            stream = Stream(self._stub, self.names)
            try:
                stream.arbitrate(election_id, self.device_id)
            except (TimeoutError, P4RuntimeTestError):
                stream.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
                continue
            self._election_id = election_id
            self.stream = stream
            return stream

    def _election(self, message: Any) -> None:
        message.election_id.high = self._election_id >> 64
        message.election_id.low = self._election_id & (2**64 - 1)

    def _call(self, what: str, method: Any, request: Any) -> Any:
        try:  # a deadline, so that a switch that stops answering fails the test instead of hanging it
            return method(request, timeout=RPC_TIMEOUT_S)
        except grpc.RpcError as err:
            raise P4RuntimeTestError(f"{what}: {err.code().name}: {err.details()}") from None

    def set_pipeline(self, p4info_path: Path, device_config_path: Path) -> None:
        """SetForwardingPipelineConfig(VERIFY_AND_COMMIT): a new program and empty state."""
        request = p4r.SetForwardingPipelineConfigRequest(
            device_id=self.device_id, action=p4r.SetForwardingPipelineConfigRequest.VERIFY_AND_COMMIT
        )
        self._election(request)
        request.config.p4info.CopyFrom(self.names.info)
        request.config.p4_device_config = device_config_path.read_bytes()
        self._call("SetForwardingPipelineConfig", self._stub.SetForwardingPipelineConfig, request)

    # ------------------------------------------------------------------ writes

    def write(self, updates: Sequence[tuple[int, Any]]) -> None:
        """One WriteRequest of (Update.Type, Entity) pairs."""
        if not updates:
            return
        request = p4r.WriteRequest(device_id=self.device_id)
        self._election(request)
        for kind, entity in updates:
            request.updates.add(type=kind, entity=entity)
        self._call("Write", self._stub.Write, request)

    def table_entry(self, entry: Entry) -> Any:
        table = self.names.table(entry.table)
        action = self.names.action(entry.action)
        message = p4r.TableEntry(table_id=table.id)
        for name, value in entry.match.items():
            field_info = _lookup(table.fields, name, f"match field of {entry.table}")
            match = message.match.add(field_id=field_info.id)
            if isinstance(value, Lpm):
                match.lpm.value = encode(value.value)
                match.lpm.prefix_len = value.prefix_len
            else:
                match.exact.value = encode(value)
        message.action.action.action_id = action.id
        for name, value in entry.params.items():
            param = _lookup(action.fields, name, f"parameter of {entry.action}")
            message.action.action.params.add(param_id=param.id, value=encode(value))
        message.idle_timeout_ns = entry.idle_timeout_ns
        if entry.meter is not None:
            _set_rates(message.meter_config, entry.meter)
        return message

    def insert(self, *entries: Entry) -> None:
        self.write([(p4r.Update.INSERT, p4r.Entity(table_entry=self.table_entry(e))) for e in entries])

    def modify(self, *entries: Entry) -> None:
        self.write([(p4r.Update.MODIFY, p4r.Entity(table_entry=self.table_entry(e))) for e in entries])

    def delete(self, *entries: Entry) -> None:
        self.write([(p4r.Update.DELETE, p4r.Entity(table_entry=self.table_entry(e))) for e in entries])

    def set_default(self, table: str, action: str, params: Mapping[str, int]) -> None:
        message = self.table_entry(Entry(table, {}, action, params))
        message.is_default_action = True
        self.write([(p4r.Update.MODIFY, p4r.Entity(table_entry=message))])

    def set_meter(self, meter: str, index: int, rates: MeterRates) -> None:
        message = p4r.MeterEntry(meter_id=_lookup(self.names.meters, meter, "meter"))
        message.index.index = index
        _set_rates(message.config, rates)
        self.write([(p4r.Update.MODIFY, p4r.Entity(meter_entry=message))])

    def set_direct_meter(self, entry: Entry, rates: MeterRates | None) -> None:
        """Configure the direct meter of ``entry``; None resets it (always GREEN)."""
        message = p4r.DirectMeterEntry()
        message.table_entry.CopyFrom(self.table_entry(Entry(entry.table, entry.match, entry.action, entry.params)))
        message.table_entry.ClearField("action")
        if rates is not None:
            _set_rates(message.config, rates)
        self.write([(p4r.Update.MODIFY, p4r.Entity(direct_meter_entry=message))])

    def multicast_group(self, group_id: int, replicas: Sequence[tuple[int, int]], *, modify: bool = False) -> None:
        """A PRE multicast group of (egress port, instance) replicas."""
        message = p4r.PacketReplicationEngineEntry()
        message.multicast_group_entry.multicast_group_id = group_id
        for port, instance in replicas:
            message.multicast_group_entry.replicas.add(egress_port=port, instance=instance)
        kind = p4r.Update.MODIFY if modify else p4r.Update.INSERT
        self.write([(kind, p4r.Entity(packet_replication_engine_entry=message))])
        self.multicast_groups.add(group_id)

    def delete_multicast_groups(self) -> None:
        """Delete every multicast group this controller created.

        The P4Runtime spec clears all forwarding state on a new pipeline, and softswitch does, but
        simple_switch_grpc keeps its PRE groups across SetForwardingPipelineConfig while PI forgets
        them: a group inserted again after a new pipeline then replicates to both the old and the
        new nodes (duplicate copies). Tests delete their groups so that the next test starts clean
        on either target."""
        updates = []
        for group_id in sorted(self.multicast_groups):
            message = p4r.PacketReplicationEngineEntry()
            message.multicast_group_entry.multicast_group_id = group_id
            updates.append((p4r.Update.DELETE, p4r.Entity(packet_replication_engine_entry=message)))
        self.multicast_groups.clear()
        self.write(updates)

    def configure_digest(self, name: str, *, max_timeout_ns: int = 0, max_list_size: int = 1, ack_timeout_ns: int = 0) -> None:
        message = p4r.DigestEntry(digest_id=_lookup(self.names.digests, name, "digest"))
        message.config.max_timeout_ns = max_timeout_ns
        message.config.max_list_size = max_list_size
        message.config.ack_timeout_ns = ack_timeout_ns
        self.write([(p4r.Update.INSERT, p4r.Entity(digest_entry=message))])

    # ------------------------------------------------------------------ reads

    def _read(self, entity: Any) -> list[Any]:
        request = p4r.ReadRequest(device_id=self.device_id)
        request.entities.add().CopyFrom(entity)
        try:
            return [e for response in self._stub.Read(request, timeout=RPC_TIMEOUT_S) for e in response.entities]
        except grpc.RpcError as err:
            raise P4RuntimeTestError(f"Read: {err.code().name}: {err.details()}") from None

    def read_counter(self, counter: str) -> dict[int, tuple[int, int]]:
        """Every index of an indirect counter: index -> (packets, bytes)."""
        entity = p4r.Entity(counter_entry=p4r.CounterEntry(counter_id=_lookup(self.names.counters, counter, "counter")))
        out = {}
        for found in self._read(entity):
            item = found.counter_entry
            out[int(item.index.index)] = (int(item.data.packet_count), int(item.data.byte_count))
        return out

    def read_direct_counter(self, entry: Entry) -> tuple[int, int]:
        """(packets, bytes) of the direct counter of ``entry``."""
        message = p4r.DirectCounterEntry()
        message.table_entry.CopyFrom(self.table_entry(Entry(entry.table, entry.match, entry.action, entry.params)))
        message.table_entry.ClearField("action")
        found = self._read(p4r.Entity(direct_counter_entry=message))
        if len(found) != 1:
            raise P4RuntimeTestError(f"direct counter of {entry.table} {dict(entry.match)}: {len(found)} answers")
        data = found[0].direct_counter_entry.data
        return int(data.packet_count), int(data.byte_count)


def _set_rates(config: Any, rates: MeterRates) -> None:
    config.cir = rates.cir
    config.cburst = rates.cburst
    config.pir = rates.pir
    config.pburst = rates.pburst
