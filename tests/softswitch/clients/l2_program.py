"""``programs/l2_clients.p4`` from the main venv: building it, pushing it, and checking by hand.

The checks here use the raw gRPC client of :mod:`tests.softswitch.p4runtime.p4rt_harness`, so
whatever a real client (p4runtime-shell, finsy, PTF) did is verified through a different client.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from finsy.proto import p4i, p4r

from softswitch.p4info.textformat import p4info_from_text
from tests.softswitch.clients.l2_scenario import (
    CLONE_REPLICAS,
    CLONE_SESSION,
    CPU_PORT,
    DELETED,
    FINAL_L2,
    MCAST_GROUP,
    MCAST_REPLICAS,
    MODIFIED,
    NORMAL,
    frame,
    mac_bytes,
)
from tests.softswitch.p4runtime.p4rt_harness import REPO, Client, Stream, eid

PROGRAM = Path(__file__).resolve().parent / "programs" / "l2_clients.p4"
TOOLS_PYTHON = REPO / ".venv-tools" / "bin" / "python"
COMPILE_TIMEOUT_S = 120.0


@dataclass(frozen=True)
class L2Build:
    """The compiled program: ``softswitch compile --p4info P --config C`` outputs."""

    p4info_path: Path
    config_path: Path

    def p4info(self) -> p4i.P4Info:
        return p4info_from_text(self.p4info_path.read_text())

    def pipeline_config(self) -> p4r.ForwardingPipelineConfig:
        return p4r.ForwardingPipelineConfig(p4info=self.p4info(), p4_device_config=self.config_path.read_bytes())


def compile_l2(out_dir: Path) -> L2Build:
    """Compile the program with the ``softswitch compile`` command, as a user would."""
    build = L2Build(out_dir / "l2_clients.p4info.txtpb", out_dir / "l2_clients.bin")
    command = [
        sys.executable, "-m", "softswitch.cli", "compile", str(PROGRAM),
        "--p4info", str(build.p4info_path), "--config", str(build.config_path),
    ]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=REPO, timeout=COMPILE_TIMEOUT_S)
    if done.returncode != 0:
        raise RuntimeError(f"softswitch compile failed:\n{done.stderr}")
    return build


def push_pipeline(client: Client, build: L2Build) -> None:
    """SetForwardingPipelineConfig(VERIFY_AND_COMMIT) as the client's (primary) election id."""
    assert client.election_id is not None
    request = p4r.SetForwardingPipelineConfigRequest(
        device_id=client.device_id,
        action=p4r.SetForwardingPipelineConfigRequest.VERIFY_AND_COMMIT,
        config=build.pipeline_config(),
    )
    request.election_id.CopyFrom(eid(client.election_id))
    client.stub.SetForwardingPipelineConfig(request)


# ----------------------------------------------------------------------------------- reads


def action_names(client: Client) -> dict[int, tuple[str, dict[int, str]]]:
    """action id -> (alias, {param id: param name})."""
    return {
        a.preamble.id: (a.preamble.alias, {p.id: p.name for p in a.params}) for a in client.p4info.actions
    }


def read_table(client: Client, table: str) -> dict[bytes, tuple[str, dict[str, int]]]:
    """Every entry of a one-exact-key table: key bytes (6, padded) -> (action alias, params)."""
    names = action_names(client)
    found: dict[bytes, tuple[str, dict[str, int]]] = {}
    for entity in client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=client.table_id(table)))):
        entry = entity.table_entry
        alias, params = names[entry.action.action.action_id]
        values = {params[p.param_id]: int.from_bytes(p.value, "big") for p in entry.action.action.params}
        found[entry.match[0].exact.value.rjust(6, b"\x00")] = (alias, values)
    return found


def read_multicast_group(client: Client, group_id: int) -> list[tuple[int, int]]:
    pre = p4r.PacketReplicationEngineEntry()
    pre.multicast_group_entry.multicast_group_id = group_id
    entities = client.read(p4r.Entity(packet_replication_engine_entry=pre))
    assert len(entities) == 1, entities
    replicas = entities[0].packet_replication_engine_entry.multicast_group_entry.replicas
    return sorted((r.egress_port, r.instance) for r in replicas)


def read_clone_session(client: Client, session_id: int) -> list[tuple[int, int]]:
    pre = p4r.PacketReplicationEngineEntry()
    pre.clone_session_entry.session_id = session_id
    entities = client.read(p4r.Entity(packet_replication_engine_entry=pre))
    assert len(entities) == 1, entities
    replicas = entities[0].packet_replication_engine_entry.clone_session_entry.replicas
    return sorted((r.egress_port, r.instance) for r in replicas)


# -------------------------------------------------------------------------------- packets


def packet_out(payload: bytes, *, egress_port: int, use_tables: int) -> p4r.StreamMessageRequest:
    """A PacketOut with the program's packet_out metadata (1 egress_port, 2 use_tables)."""
    request = p4r.StreamMessageRequest()
    request.packet.payload = payload
    request.packet.metadata.add(metadata_id=1, value=egress_port.to_bytes(2, "big"))
    request.packet.metadata.add(metadata_id=2, value=bytes([use_tables]))
    return request


def packet_in_fields(message: p4r.StreamMessageResponse) -> tuple[int, int, int, bytes]:
    """(ingress_port, replica, instance_type, payload) of a PacketIn."""
    values = {m.metadata_id: int.from_bytes(m.value, "big") for m in message.packet.metadata}
    return values[1], values[3], values[4], message.packet.payload


def assert_scenario_state(client: Client, stream: Stream) -> None:
    """The switch holds what :mod:`l2_scenario` leaves behind, and forwards accordingly.

    ``client`` must be primary with ``stream`` its arbitrated stream (PacketIns come to it).
    """
    want = {mac_bytes(dst): value for dst, value in FINAL_L2.items()}
    assert read_table(client, "l2") == want
    assert read_multicast_group(client, MCAST_GROUP) == sorted(MCAST_REPLICAS)
    assert read_clone_session(client, CLONE_SESSION) == sorted(CLONE_REPLICAS)
    # The deleted entry no longer sends to the CPU; the modified one does. The switch handles
    # PacketOuts in order, so had the first produced a PacketIn, it would come before the second's.
    stream.send(packet_out(frame(DELETED, b"deleted?"), egress_port=0, use_tables=1))
    stream.send(packet_out(frame(MODIFIED, b"modified"), egress_port=0, use_tables=1))
    first = packet_in_fields(stream.next("packet"))
    assert first == (CPU_PORT, 0, NORMAL, frame(MODIFIED, b"modified"))
