"""Applying a write plan to one switch: phase by phase, batched, and forgiving where it is safe.

The plan says what to INSERT, MODIFY and DELETE given what the controller believes the switch
holds. When the switch disagrees for one entity, the writer does what was meant instead of
failing: an INSERT that finds the key present becomes a MODIFY, a MODIFY that finds it absent
becomes an INSERT, and a DELETE of something already gone is done. Any other refusal is
reported per entity (:class:`WriteFailure`) and the rest of the plan still goes through. A
failure of the whole request (the switch went away, we are no longer primary) raises
:class:`~controlplane.p4rt.P4RuntimeError`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

from finsy.proto import p4r

from controlplane.edge.encode import EdgeSchema
from controlplane.edge.entries import MODIFY_ONLY, Entity
from controlplane.edge.plan import Op, WritePlan
from controlplane.p4rt import GRPCStatusCode, P4RuntimeError, SwitchConnection

log = logging.getLogger(__name__)

#: Writes at least this large log their progress.
PROGRESS_MIN_UPDATES = 20_000


@dataclass(frozen=True, slots=True)
class WriteFailure:
    op: Op
    entity: Entity
    code: GRPCStatusCode
    message: str

    def __str__(self) -> str:
        return f"{self.op.value} {self.entity}: {self.code.name}: {self.message}"


@dataclass(slots=True)
class WriteResult:
    updates: int = 0  # updates sent (retries included)
    retried: int = 0  # updates redone with the other kind (INSERT <-> MODIFY)
    failures: list[WriteFailure] = field(default_factory=list)


def _fallback(op: Op, entity: Entity, code: GRPCStatusCode) -> Op | bool | None:
    """What to do about a refused update: another op to try, True (done: nothing to do), or
    None (a real failure)."""
    if op is Op.DELETE and code == GRPCStatusCode.NOT_FOUND:
        return True
    if isinstance(entity, MODIFY_ONLY):
        return None
    if op is Op.INSERT and code == GRPCStatusCode.ALREADY_EXISTS:
        return Op.MODIFY
    if op is Op.MODIFY and code == GRPCStatusCode.NOT_FOUND:
        return Op.INSERT
    return None


async def apply_plan(conn: SwitchConnection, schema: EdgeSchema, plan: WritePlan, *, what: str = "") -> WriteResult:
    """Write ``plan`` to the switch of ``conn``, phase after phase."""
    result = WriteResult()
    total = len(plan)
    started = time.monotonic()
    done = 0
    for phase in plan.phases():
        await _write_phase(conn, schema, phase, result, done, total, what)
        done += len(phase)
    if total >= PROGRESS_MIN_UPDATES:
        log.info("%s: %s: %d updates written in %.1fs", conn.name, what or "write", total, time.monotonic() - started)
    return result


async def _write_phase(
    conn: SwitchConnection,
    schema: EdgeSchema,
    updates: Sequence[tuple[Op, Entity]],
    result: WriteResult,
    done_before: int,
    total: int,
    what: str,
) -> None:
    messages = [schema.update(op, entity) for op, entity in updates]
    retry = await _send(conn, messages, updates, result, done_before, total, what, allow_retry=True)
    if retry:
        result.retried += len(retry)
        messages = [schema.update(op, entity) for op, entity in retry]
        await _send(conn, messages, retry, result, done_before, total, what, allow_retry=False)


async def _send(
    conn: SwitchConnection,
    messages: list[p4r.Update],
    updates: Sequence[tuple[Op, Entity]],
    result: WriteResult,
    done_before: int,
    total: int,
    what: str,
    *,
    allow_retry: bool,
) -> list[tuple[Op, Entity]]:
    result.updates += len(messages)
    progress = None
    if total >= PROGRESS_MIN_UPDATES:
        step = max(total // 10, 1)

        def progress(done: int, _of: int) -> None:
            if done % step < conn.options.max_batch_updates or done == len(messages):
                log.info("%s: %s: %d of %d updates", conn.name, what or "write", done_before + done, total)

    try:
        await conn.write(messages, progress=progress)
    except P4RuntimeError as err:
        if not err.details:
            raise
        retry: list[tuple[Op, Entity]] = []
        for detail in err.details:
            op, entity = updates[detail.index]
            action = _fallback(op, entity, detail.code) if allow_retry or op is Op.DELETE else None
            if action is True:
                continue
            if isinstance(action, Op):
                retry.append((action, entity))
                continue
            failure = WriteFailure(op, entity, detail.code, detail.message)
            result.failures.append(failure)
            log.error("%s: %s", conn.name, failure)
        return retry
    return []
