"""The edge programmer: registry state on every edge switch of the region, and the API's
``DataPlane`` (switch status, device counters, group instructions).

:class:`EdgeDataPlane` ties the pieces together:

* at start it takes the registry's records and a subscription to every later change set in one
  step (``Registry.subscribe_with_snapshot``), so no change falls between the two;
* it connects to each configured switch (:class:`~controlplane.edge.programmer.SwitchProgrammer`),
  which pushes the pipeline and reconciles on every (re)connection;
* it follows the change feed: each change set becomes, per switch, the minimal writes
  (:meth:`controlplane.edge.state.EdgeState.apply`), applied in order;
* stream messages go to :class:`~controlplane.edge.requests.StreamDispatcher` (access requests
  into the registry, activity and held frames as :class:`~controlplane.edge.activity.EdgeEvents`).

``edge_dataplane(config, registry)`` is the factory ``p4edge serve`` gives the REST app.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from finsy.proto import p4r

from controlplane.config import Config, SwitchConfig
from controlplane.edge import contract
from controlplane.edge.activity import EdgeEvents
from controlplane.edge.encode import EdgeSchema
from controlplane.edge.entries import Entity, EntityKey, TableEntry
from controlplane.edge.instructions import group_instruction
from controlplane.edge.plan import WritePlan
from controlplane.edge.programmer import Counts, SwitchProgrammer
from controlplane.edge.requests import StreamDispatcher
from controlplane.edge.settings import EdgeSettings, SwitchProfile
from controlplane.edge.state import EdgeState
from controlplane.edge.translate import device_entities, member_address
from controlplane.p4rt import Backoff, P4RuntimeError, PipelineFileError, PipelineFiles
from controlplane.registry.changes import ChangeSubscription
from controlplane.registry.dataplane import (
    DataPlane,
    DataPlaneUnavailable,
    DeviceCounters,
    InstructionReceipt,
    SwitchStatus,
)
from controlplane.registry.model import Device, Group
from controlplane.registry.service import Registry

log = logging.getLogger(__name__)


def pipeline_files(config: Config, switch: SwitchConfig) -> PipelineFiles:
    """Where ``make build TARGET=<switch's target>`` put the edge program."""
    return PipelineFiles.from_build(config.edge.program, target=switch.target.value, build_dir=config.edge.build_dir)


class EdgeDataPlane:
    """Programs every switch of the region from the registry; answers the REST API."""

    def __init__(
        self,
        registry: Registry,
        switches: Sequence[tuple[SwitchConfig, PipelineFiles | None]],
        settings: EdgeSettings | None = None,
        *,
        program: str = "edge",
        force_pipeline: bool = False,
        backoff: Backoff | None = None,
    ) -> None:
        self.registry = registry
        self.settings = settings or EdgeSettings()
        self.events = EdgeEvents()
        self._state = EdgeState(registry.profiles)
        self._subscription: ChangeSubscription | None = None
        self._follower: asyncio.Task[None] | None = None
        self.dispatcher = StreamDispatcher(registry, lambda: self._state, self._schema_of, self.events)
        self.programmers: list[SwitchProgrammer] = []
        for switch, pipeline in switches:
            profile = SwitchProfile.from_config(switch, self.settings)
            self.programmers.append(
                SwitchProgrammer(
                    profile, switch, pipeline=pipeline, desired=self._desired, handlers=self.dispatcher.handlers(),
                    program=program, force_pipeline=force_pipeline, backoff=backoff,
                )
            )
        self._profiles = [p.profile for p in self.programmers]

    @classmethod
    def from_config(cls, config: Config, registry: Registry, *, backoff: Backoff | None = None) -> EdgeDataPlane:
        """One programmer per configured switch, each pushing ``build/<target>/<program>.*``
        (a switch whose files are missing or unreadable keeps the pipeline it runs, which must
        follow the edge contract)."""
        switches: list[tuple[SwitchConfig, PipelineFiles | None]] = []
        for switch in config.switches:
            files: PipelineFiles | None = pipeline_files(config, switch)
            try:
                assert files is not None
                files.load()
            except PipelineFileError as err:
                log.error("%s: %s; keeping the pipeline the switch runs", switch.name, err)
                files = None
            switches.append((switch, files))
        return cls(
            registry, switches, EdgeSettings.from_config(config.edge),
            program=config.edge.program, force_pipeline=config.edge.force_pipeline, backoff=backoff,
        )

    # ------------------------------------------------------------------------------ lifecycle

    @property
    def state(self) -> EdgeState:
        return self._state

    async def start(self) -> None:
        """Load the registry's state, follow its changes, and connect to every switch."""
        snapshot, subscription = self.registry.subscribe_with_snapshot()
        self._state = EdgeState.from_snapshot(snapshot, self.registry.profiles)
        self._subscription = subscription
        self._follower = asyncio.create_task(self._follow(subscription), name="edge:change-feed")
        log.info(
            "edge programmer: %d customers, %d devices, %d groups at change set %d; %d switches",
            len(snapshot.customers), len(snapshot.devices), len(snapshot.groups), snapshot.seq, len(self.programmers),
        )
        for programmer in self.programmers:
            await programmer.start()

    async def stop(self) -> None:
        if self._subscription is not None:
            self._subscription.close()
        if self._follower is not None:
            self._follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._follower
            self._follower = None
        for programmer in self.programmers:
            await programmer.stop()

    async def __aenter__(self) -> EdgeDataPlane:
        await self.start()
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.stop()

    async def _follow(self, subscription: ChangeSubscription) -> None:
        async for changeset in subscription:
            # plans only for switches that take them: a switch out of step is reconciled later
            profiles = [p.profile for p in self.programmers if p.accepts_plans]
            try:
                plans = self._state.apply(changeset, profiles)
            except Exception:  # a bug: fall back to reconciling every switch from scratch
                log.exception("edge programmer: change set %d could not be translated; reconciling", changeset.seq)
                await self._resync_all()
                continue
            self._submit(plans)

    def _submit(self, plans: Mapping[str, WritePlan]) -> None:
        version = self._state.version
        for programmer in self.programmers:
            plan = plans.get(programmer.name)
            if plan is not None:
                programmer.submit(version, plan)

    async def _resync_all(self) -> None:
        for programmer in self.programmers:
            try:
                await programmer.resync()
            except P4RuntimeError as err:
                log.warning("%s: %s", programmer.name, err)

    def _desired(self, profile: SwitchProfile) -> tuple[Mapping[EntityKey, Entity], int]:
        return self._state.desired(profile), self._state.version

    def _schema_of(self, switch: str) -> EdgeSchema | None:
        for programmer in self.programmers:
            if programmer.name == switch:
                return programmer.schema
        return None

    async def settled(self, timeout: float = 60.0) -> None:
        """Wait until every change set so far is applied to every switch that is in step, and no
        reconcile is running (for tests, benchmarks and orderly shutdowns)."""
        deadline = time.monotonic() + timeout
        while True:
            caught_up = self._state.seq >= self.registry.seq and (
                self._subscription is None or self._subscription.pending() == 0
            )
            switches_done = all(
                p.idle and (not p.in_step or p.version >= self._state.version) for p in self.programmers
            )
            if caught_up and switches_done:
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"the edge programmer did not settle within {timeout}s")
            await asyncio.sleep(0.01)

    # ------------------------------------------------------------------------------ sleeping devices

    async def set_device_held(self, device_id: str, held: bool) -> None:
        """Hold a sleeping device's traffic for the controller (README 3.7), or deliver it again.
        Raises ``KeyError`` for an unknown device and ``HoldError`` when it cannot be held."""
        self._state.check_holdable(device_id, self._profiles)
        plans = self._state.set_held(device_id, held, [p.profile for p in self.programmers if p.accepts_plans])
        self._submit(plans)

    # ------------------------------------------------------------------------------ DataPlane

    def _in_step(self) -> list[SwitchProgrammer]:
        return [p for p in self.programmers if p.in_step]

    async def switch_status(self) -> Sequence[SwitchStatus]:
        out = []
        for programmer in self.programmers:
            conn = programmer.conn
            counts: dict[str, int] = {}
            error = programmer.last_error
            if conn.last_error is not None and not conn.is_up:
                error = str(conn.last_error)
            if conn.is_up and programmer.schema is not None:
                try:
                    counts = await programmer.entry_counts()
                except P4RuntimeError as err:
                    error = str(err)
            out.append(
                SwitchStatus(
                    name=programmer.name,
                    grpc_addr=programmer.address,
                    device_id=programmer.device_id,
                    connected=conn.is_up,
                    primary=conn.is_primary,
                    pipeline=programmer.program if conn.is_up and programmer.schema is not None else None,
                    entry_counts=counts,
                    error=error,
                )
            )
        return out

    def _device_entries(self, device: Device, profile: SwitchProfile) -> list[TableEntry]:
        customer = self._state.customers.get(device.customer)
        if customer is None:
            return []
        rates = self._state.rate_profiles.get(device.rate_profile)
        return [e for e in device_entities(device, customer, profile, rates) if isinstance(e, TableEntry)]

    async def device_counters(self, device: Device) -> Sequence[DeviceCounters]:
        switches = self._in_step()
        if not switches:
            raise DataPlaneUnavailable(f"no edge switch connected: no counters for device {device.device_id!r}")
        out = []
        for programmer in switches:
            entries = self._device_entries(device, programmer.profile)
            up = [e for e in entries if e.table in contract.UPSTREAM_TABLES]
            down = [e for e in entries if e.table in contract.DOWNSTREAM_TABLES]
            try:
                upstream: Counts = await programmer.direct_counters(up)
                downstream: Counts = await programmer.direct_counters(down)
            except P4RuntimeError as err:
                log.warning("%s: counters of device %s: %s", programmer.name, device.device_id, err)
                continue
            out.append(
                DeviceCounters(
                    switch=programmer.name,
                    upstream_packets=upstream.packets,
                    upstream_bytes=upstream.bytes,
                    downstream_packets=downstream.packets,
                    downstream_bytes=downstream.bytes,
                    read_at=time.time(),
                )
            )
        if not out:
            raise DataPlaneUnavailable(f"no edge switch answered: no counters for device {device.device_id!r}")
        return out

    async def send_group_instruction(self, group: Group, payload: bytes) -> InstructionReceipt:
        """One packet-out per switch, naming the group's multicast id: the switch's replication
        engine makes one copy per member and its egress rewrites each for its member (address,
        VLAN, MACs), as for group traffic from the customer's VPC (README 3.4). A sleeping member's
        replica points at the CPU port, so its copy comes back as a held frame (reason 2)."""
        switches = [p for p in self._in_step() if p.profile.cpu_port is not None]
        if not switches:
            raise DataPlaneUnavailable(f"no edge switch with a CPU port connected: cannot send to group {group.name!r}")
        state = self._state
        customer = state.customers.get(group.customer)
        if customer is None:
            raise DataPlaneUnavailable(f"group {group.name!r}: its customer {group.customer!r} is not programmed")
        members = [state.devices[d] for d in sorted(group.members) if d in state.devices]
        reachable = [d for d in members if member_address(d) is not None]
        names: list[str] = []
        for programmer in switches:
            schema = programmer.schema
            assert schema is not None
            instruction = group_instruction(group, customer, programmer.profile, payload)
            message = p4r.StreamMessageRequest(
                packet=schema.packet_out_group(instruction.frame, instruction.mcast_grp, instruction.customer_id)
            )
            try:
                await programmer.conn.write([message])
            except P4RuntimeError as err:
                log.warning("%s: group %s instruction not sent: %s", programmer.name, group.name, err)
                continue
            names.append(programmer.name)
            log.info("%s: group %s instruction (%d bytes) sent for %d members", programmer.name, group.name,
                     len(payload), len(reachable))
        if not names:
            raise DataPlaneUnavailable(f"no edge switch took the instruction for group {group.name!r}")
        return InstructionReceipt(
            group=group.name, members=len(reachable), switches=tuple(names), payload_bytes=len(payload)
        )


@asynccontextmanager
async def edge_dataplane(config: Config, registry: Registry) -> AsyncIterator[DataPlane]:
    """The factory ``p4edge serve`` hands the REST app: the edge programmer for ``config``."""
    plane = EdgeDataPlane.from_config(config, registry)
    await plane.start()
    try:
        yield plane
    finally:
        await plane.stop()


def check_pipelines(config: Config) -> list[Path]:
    """The pipeline files every configured switch needs (raises ``PipelineFileError`` naming a
    missing or unreadable one)."""
    files: list[Path] = []
    for switch in config.switches:
        pipeline = pipeline_files(config, switch)
        pipeline.load()
        files += [pipeline.p4info, pipeline.device_config]
    return files
