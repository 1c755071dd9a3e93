"""Making a switch run our pipeline: compare cookies, push with VERIFY_AND_COMMIT if they differ.

A new pipeline clears all forwarding state by the P4Runtime spec, but simple_switch_grpc keeps
its multicast groups and clone sessions while PI forgets them, so the groups written for the new
pipeline would replicate to stale nodes as well. Before replacing a pipeline, the groups and
sessions the switch reports are therefore deleted (a no-op on a target that follows the spec).

finsy can push a pipeline itself, but a failed push only surfaces as a crashed task in its log;
the caller never sees why. This module does the same steps (the cookie rule is finsy's: a hash
of the P4Info and device config) over a short-lived finsy :class:`~finsy.p4client.P4Client`, so
a refusal comes back as a :class:`~controlplane.p4rt.errors.P4RuntimeError`. The request carries
the election id of the arbitrated stream, which every target checks (softswitch always).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from finsy import GRPCCredentialsTLS, P4ClientError, P4Schema
from finsy.p4client import P4Client
from finsy.p4schema import P4ConfigAction, P4ConfigResponseType
from finsy.proto import U128, p4r

from controlplane.p4rt.errors import P4RuntimeError

__all__ = ["PipelineTarget", "ensure_pipeline"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineTarget:
    """Where to push: the switch's address and device, and how to name it in errors."""

    switch: str
    address: str
    device_id: int
    credentials: GRPCCredentialsTLS | None = None


async def ensure_pipeline(
    target: PipelineTarget, desired: P4Schema, *, election_id: Callable[[], int], force: bool = False
) -> bool:
    """Install ``desired`` unless the switch reports the same cookie (or ``force``); True if pushed.

    ``election_id`` gives the primary's current election id (read at send time).
    """

    def complete_request(message: object) -> None:
        if isinstance(message, p4r.WriteRequest | p4r.SetForwardingPipelineConfigRequest):
            message.election_id.CopyFrom(U128.encode(election_id()))

    operation = "GetForwardingPipelineConfig"
    client = P4Client(target.address, target.credentials, wait_for_ready=False)
    await client.open(complete_request=complete_request)
    try:
        current = await _current_cookie(client, target.device_id)
        if not force and current == desired.p4cookie:
            return False
        if current is not None:
            operation = "Write (clearing the old pipeline's replication groups)"
            await _clear_replication(client, target.device_id)
        operation = "SetForwardingPipelineConfig"
        await client.request(
            p4r.SetForwardingPipelineConfigRequest(
                device_id=target.device_id,
                action=P4ConfigAction.VERIFY_AND_COMMIT.vt(),
                config=desired.get_pipeline_config(),
            )
        )
        return True
    except P4ClientError as err:
        raise P4RuntimeError.from_client_error(err, operation=operation, switch=target.switch) from None
    finally:
        await client.close()


async def _current_cookie(client: P4Client, device_id: int) -> int | None:
    """The cookie of the switch's pipeline; None when it has none (or no cookie)."""
    try:
        reply = await client.request(
            p4r.GetForwardingPipelineConfigRequest(device_id=device_id, response_type=P4ConfigResponseType.COOKIE_ONLY.vt())
        )
    except P4ClientError as err:
        if err.is_pipeline_missing:
            return None
        raise
    return reply.config.cookie.cookie if reply.config.HasField("cookie") else None


async def _clear_replication(client: P4Client, device_id: int) -> None:
    """Delete every multicast group and clone session the switch reports."""
    query = p4r.ReadRequest(device_id=device_id)
    query.entities.add().packet_replication_engine_entry.multicast_group_entry.multicast_group_id = 0
    query.entities.add().packet_replication_engine_entry.clone_session_entry.session_id = 0
    delete = p4r.WriteRequest(device_id=device_id)
    async for reply in client.request_iter(query):
        for entity in reply.entities:
            pre = entity.packet_replication_engine_entry
            update = delete.updates.add(type=p4r.Update.DELETE)
            if pre.HasField("multicast_group_entry"):
                update.entity.packet_replication_engine_entry.multicast_group_entry.multicast_group_id = (
                    pre.multicast_group_entry.multicast_group_id
                )
            else:
                update.entity.packet_replication_engine_entry.clone_session_entry.session_id = (
                    pre.clone_session_entry.session_id
                )
    if delete.updates:
        await client.request(delete)
