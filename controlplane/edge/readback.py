"""Reading a switch's state as raw ``p4.v1`` entities, over a channel of its own.

Reads need no arbitration, and the edge reads a lot at once (every table of a switch holding
hundreds of thousands of entries, to reconcile it). Decoding each reply into finsy objects and
then into our entities would double the work, so :class:`SwitchReader` hands the raw replies to
:class:`~controlplane.edge.encode.EdgeSchema`, which turns them straight into entities. It uses
finsy's :class:`~finsy.p4client.P4Client` (as ``controlplane.p4rt.pipeline`` does for pipeline
pushes); a failure comes back as :class:`~controlplane.p4rt.P4RuntimeError`.

finsy gives every read a 10 s deadline; the edge therefore reads one table per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Sequence

from finsy import GRPCCredentialsTLS, GRPCStatusCode, P4ClientError
from finsy.p4client import P4Client
from finsy.proto import p4r

from controlplane.p4rt import P4RuntimeError


class SwitchReader:
    """Read requests to one switch; the channel opens on first use and again after a failure."""

    def __init__(
        self, switch: str, address: str, device_id: int, credentials: GRPCCredentialsTLS | None = None
    ) -> None:
        self.switch = switch
        self.address = address
        self.device_id = device_id
        self._credentials = credentials
        self._client: P4Client | None = None

    async def _open(self) -> P4Client:
        if self._client is None:
            client = P4Client(self.address, self._credentials, wait_for_ready=False)
            await client.open()
            self._client = client
        return self._client

    async def read_iter(self, entities: Sequence[p4r.Entity]) -> AsyncIterator[p4r.Entity]:
        """The entities answering one ReadRequest (wildcards allowed)."""
        async for reply in self._replies(entities):
            for entity in reply.entities:
                yield entity

    async def read(self, entities: Sequence[p4r.Entity]) -> list[p4r.Entity]:
        return [entity async for entity in self.read_iter(entities)]

    async def count(self, entities: Sequence[p4r.Entity]) -> int:
        """How many entities one ReadRequest returns (without decoding them)."""
        total = 0
        async for reply in self._replies(entities):
            total += len(reply.entities)
        return total

    async def _replies(self, entities: Sequence[p4r.Entity]) -> AsyncIterator[p4r.ReadResponse]:
        """The ReadResponses of one request. Only a broken connection closes the channel: other
        reads may share it, and closing it would cancel them too. A read whose channel another
        failed read closed under it ends as UNAVAILABLE, not as a cancellation of the caller."""
        client = await self._open()
        request = p4r.ReadRequest(device_id=self.device_id, entities=list(entities))
        try:
            async for reply in client.request_iter(request):
                yield reply
        except P4ClientError as err:
            error = P4RuntimeError.from_client_error(err, operation="Read", switch=self.switch)
            if error.is_unavailable and self._client is client:
                await self.close()
            raise error from None
        except asyncio.CancelledError:
            task = asyncio.current_task()
            if (task is not None and task.cancelling()) or self._client is client:
                raise  # our caller was cancelled
            raise P4RuntimeError(
                operation="Read", code=GRPCStatusCode.UNAVAILABLE, switch=self.switch,
                message="the read was cut off: its channel closed after another read failed",
            ) from None

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            await client.close()
