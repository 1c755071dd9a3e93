"""Set/GetForwardingPipelineConfig, as PI implements the actions and response types.

The device config (``p4_device_config``) is softswitch's own format (see
:mod:`softswitch.engine.device_config`): the server compiles it and checks that the P4Info sent
with it matches what the program yields (ids and names of every entity, match fields and action
parameters). Any other format, BMv2 JSON included, is refused with INVALID_ARGUMENT naming the
format expected.

Actions:

* VERIFY: check the P4Info (and, when a device config is given, compile it and check the match).
* VERIFY_AND_SAVE: verify and keep the pipeline aside, with empty state. Packets still go
  through the active pipeline, but Read, Write and GetForwardingPipelineConfig now address the
  saved one (the spec: "subsequent Read / Write requests must refer to fields in the new
  config"); COMMIT makes it active with what was written to it meanwhile, as BMv2 keeps it too.
* VERIFY_AND_COMMIT: verify and activate at once; all forwarding state starts empty (a saved
  pipeline is dropped).
* RECONCILE_AND_COMMIT: verify, activate and carry the current forwarding state over (members,
  groups, table entries and default actions, counters, meters, PRE entries, digest configs).
* UNSPECIFIED: INVALID_ARGUMENT.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from typing import Protocol

from finsy.proto import p4i, p4r, rpc_code

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.p4runtime.device import ActivePipeline, Device
from softswitch.p4runtime.entities import BindingError, PipelineBinding
from softswitch.p4runtime.errors import RequestError
from softswitch.p4runtime.p4info_index import P4InfoIndex, P4InfoInvalid, index_p4info
from softswitch.p4runtime.program_objects import ProgramObjects
from softswitch.p4runtime.read import read_entities

__all__ = [
    "PipelineLoader",
    "get_pipeline_config",
    "p4info_mismatch",
    "prepare_pipeline",
    "set_pipeline_config",
]

log = logging.getLogger("softswitch.p4runtime")

#: Compiles a device config into (the P4Info the program yields, the program's objects); raises
#: ValueError with a one-line message for a config it cannot use.
PipelineLoader = Callable[[bytes], tuple[p4i.P4Info, ProgramObjects]]

Action = p4r.SetForwardingPipelineConfigRequest
Response = p4r.GetForwardingPipelineConfigRequest


def _invalid(message: str) -> RequestError:
    return RequestError(rpc_code.INVALID_ARGUMENT, message)


class _HasPreamble(Protocol):
    @property
    def preamble(self) -> p4i.Preamble: ...


def _named(items: Iterable[_HasPreamble]) -> dict[int, str]:
    return {item.preamble.id: item.preamble.name for item in items}


def p4info_mismatch(sent: p4i.P4Info, compiled: p4i.P4Info) -> str | None:
    """Why ``sent`` does not describe the program ``compiled`` came from, or None if it does."""
    kinds = (
        "tables",
        "actions",
        "action_profiles",
        "counters",
        "direct_counters",
        "meters",
        "direct_meters",
        "registers",
        "digests",
        "value_sets",
        "controller_packet_metadata",
    )
    for kind in kinds:
        theirs = _named(getattr(sent, kind))
        ours = _named(getattr(compiled, kind))
        if theirs != ours:
            missing = sorted(set(ours.items()) - set(theirs.items()))
            extra = sorted(set(theirs.items()) - set(ours.items()))
            what = kind.replace("_", " ")
            if missing:
                ident, name = missing[0]
                return f"{what}: the program has {name!r} with id {ident}, which the P4Info lacks or numbers differently"
            ident, name = extra[0]
            return f"{what}: the P4Info lists {name!r} with id {ident}, which the program does not have"
    ours_tables = {t.preamble.id: t for t in compiled.tables}
    for table in sent.tables:
        mine = ours_tables[table.preamble.id]
        fields = [(f.id, f.bitwidth, f.match_type) for f in table.match_fields]
        if fields != [(f.id, f.bitwidth, f.match_type) for f in mine.match_fields]:
            return f"table {table.preamble.name!r}: its match fields differ from the program's"
        if {a.id for a in table.action_refs} != {a.id for a in mine.action_refs}:
            return f"table {table.preamble.name!r}: its actions differ from the program's"
        if table.implementation_id != mine.implementation_id:
            return f"table {table.preamble.name!r}: its implementation differs from the program's"
    ours_actions = {a.preamble.id: a for a in compiled.actions}
    for action in sent.actions:
        mine_action = ours_actions[action.preamble.id]
        params = [(p.id, p.bitwidth) for p in action.params]
        if params != [(p.id, p.bitwidth) for p in mine_action.params]:
            return f"action {action.preamble.name!r}: its parameters differ from the program's"
    return None


def _prepare(device: Device, config: p4r.ForwardingPipelineConfig, loader: PipelineLoader) -> ActivePipeline:
    try:
        index_p4info(config.p4info)
    except P4InfoInvalid as err:
        raise _invalid(f"invalid P4Info: {err}") from None
    if not config.p4_device_config:
        raise _invalid("p4_device_config is empty: send the device config built by 'softswitch compile'")
    try:
        compiled_info, program = loader(config.p4_device_config)
    except ValueError as err:
        raise _invalid(str(err)) from None
    mismatch = p4info_mismatch(config.p4info, compiled_info)
    if mismatch is not None:
        raise _invalid(f"the P4Info does not match the program in p4_device_config: {mismatch}")
    return prepare_pipeline(device, config, compiled_info, program)


def prepare_pipeline(
    device: Device, config: p4r.ForwardingPipelineConfig, compiled_info: p4i.P4Info, program: ProgramObjects
) -> ActivePipeline:
    """Bind a loaded program to its P4Info; ``config`` is what GetForwardingPipelineConfig returns."""
    try:
        index: P4InfoIndex = index_p4info(compiled_info)
    except P4InfoInvalid as err:
        raise RequestError(rpc_code.INTERNAL, f"the compiled program's P4Info is invalid: {err}") from None
    digests = device.new_digest_manager(index)
    try:
        binding = PipelineBinding(index, program, digests)
    except BindingError as err:
        raise _invalid(f"the program cannot be bound to its P4Info: {err}") from None
    kept = p4r.ForwardingPipelineConfig()
    kept.CopyFrom(config)
    return ActivePipeline(kept, index, program, binding)


def set_pipeline_config(device: Device, request: p4r.SetForwardingPipelineConfigRequest, loader: PipelineLoader) -> None:
    """Carry out a SetForwardingPipelineConfig (arbitration and device id already checked)."""
    action = request.action
    if action == Action.UNSPECIFIED:
        raise _invalid("Invalid SetForwardingPipeline action")
    if action == Action.COMMIT:
        with device.engine_lock:
            saved = device.saved
            if saved is None:
                raise RequestError(
                    rpc_code.FAILED_PRECONDITION, "No saved pipeline config to commit: send VERIFY_AND_SAVE first"
                )
            device.saved = None
            device.activate(saved)
        log.info("%s: committed the saved pipeline", device.name)
        return
    if action not in (Action.VERIFY, Action.VERIFY_AND_SAVE, Action.VERIFY_AND_COMMIT, Action.RECONCILE_AND_COMMIT):
        raise _invalid(f"Invalid SetForwardingPipeline action {action}")
    if not request.HasField("config"):
        raise _invalid("the request has no config")
    if action == Action.VERIFY and not request.config.p4_device_config:
        try:
            index_p4info(request.config.p4info)
        except P4InfoInvalid as err:
            raise _invalid(f"invalid P4Info: {err}") from None
        return
    pipeline = _prepare(device, request.config, loader)
    if action == Action.VERIFY:
        return
    if action == Action.VERIFY_AND_SAVE:
        with device.engine_lock:
            device.saved = pipeline
        return
    with device.engine_lock:
        old, saved = device.control, device.saved
        device.saved = None
        if action == Action.RECONCILE_AND_COMMIT and old is not None:
            try:
                _reconcile(device, old, pipeline)
            except RequestError:
                device.saved = saved
                raise
        else:
            device.activate(pipeline)
    log.info("%s: new forwarding pipeline (%d tables)", device.name, len(pipeline.index.tables))


def _saved_state(old: ActivePipeline) -> list[p4r.Update]:
    """The forwarding state of ``old`` as the updates that rebuild it."""
    binding = old.binding
    request = p4r.ReadRequest()
    request.entities.add().action_profile_member.SetInParent()
    request.entities.add().action_profile_group.SetInParent()
    request.entities.add().packet_replication_engine_entry.multicast_group_entry.SetInParent()
    request.entities.add().packet_replication_engine_entry.clone_session_entry.SetInParent()
    inserts = []
    for entity in _entities(read_entities(binding, request)):
        inserts.append(p4r.Update(type=p4r.Update.INSERT, entity=entity))
    for codec in binding.tables.values():
        if codec.info.is_const:
            continue
        probe = p4r.TableEntry(table_id=codec.id)
        for raw in codec.read(probe):
            update = p4r.Update(type=p4r.Update.INSERT)
            entry = update.entity.table_entry
            entry.ParseFromString(raw)
            inserts.append(update)
        if not codec.indirect and not codec.info.const_default_action_id:
            update = p4r.Update(type=p4r.Update.MODIFY)
            update.entity.table_entry.ParseFromString(codec.encode_default(p4r.TableEntry(table_id=codec.id)))
            inserts.append(update)
    modifies = p4r.ReadRequest()
    modifies.entities.add().counter_entry.SetInParent()
    modifies.entities.add().meter_entry.SetInParent()
    for entity in _entities(read_entities(binding, modifies)):
        inserts.append(p4r.Update(type=p4r.Update.MODIFY, entity=entity))
    for digest in binding.digests.configured_entries():
        update = p4r.Update(type=p4r.Update.INSERT)
        update.entity.digest_entry.CopyFrom(digest)
        inserts.append(update)
    return inserts


def _entities(fields: list[bytes]) -> list[p4r.Entity]:
    return list(p4r.ReadResponse.FromString(b"".join(fields)).entities)


def _reconcile(device: Device, old: ActivePipeline, new: ActivePipeline) -> None:
    updates = _saved_state(old)
    previous = device.active
    device.activate(new)
    for update in updates:
        try:
            new.binding.apply(update)
        except EntityError as err:
            if err.code is ErrorCode.ALREADY_EXISTS:
                continue  # an initial entry the new program installs itself
            device.activate(previous)
            raise RequestError(rpc_code.UNKNOWN, f"Error when reconciling config: {err.message}") from None


def get_pipeline_config(device: Device, request: p4r.GetForwardingPipelineConfigRequest) -> p4r.GetForwardingPipelineConfigResponse:
    active = device.control
    if active is None:
        raise RequestError(rpc_code.FAILED_PRECONDITION, "No forwarding pipeline config set for this device")
    response = p4r.GetForwardingPipelineConfigResponse()
    config = response.config
    source = active.config
    kind = request.response_type
    if kind == Response.ALL:
        config.p4info.CopyFrom(source.p4info)
        config.p4_device_config = source.p4_device_config
    elif kind == Response.COOKIE_ONLY:
        pass
    elif kind == Response.P4INFO_AND_COOKIE:
        config.p4info.CopyFrom(source.p4info)
    elif kind == Response.DEVICE_CONFIG_AND_COOKIE:
        config.p4_device_config = source.p4_device_config
    else:
        raise _invalid("Invalid response_type in GetForwardingPipelineConfigRequest")
    if source.HasField("cookie"):
        config.cookie.CopyFrom(source.cookie)
    return response
