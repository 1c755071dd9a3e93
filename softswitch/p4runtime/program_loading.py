"""From a device config (or a compiled front-end) to a running program and its P4Info.

:func:`load_device_config` is the :data:`~softswitch.p4runtime.pipeline_config.PipelineLoader`
the server uses: decode the device config (softswitch's own format, see
:mod:`softswitch.engine.device_config`), compile the program it carries, build its P4Info and a
:class:`~softswitch.engine.pipeline.Switch`, and expose the switch's objects by P4Info name
(:class:`~softswitch.p4runtime.program_objects.ProgramObjects`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from finsy.proto import p4i

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.tables import Match
from softswitch.p4runtime.program_objects import DigestSample, ProgramObjects

if TYPE_CHECKING:
    from softswitch.engine.pipeline import Switch
    from softswitch.engine.program import ValueSet
    from softswitch.frontend.compiler import CompiledFrontend

__all__ = ["load_device_config", "load_frontend", "objects_of_switch"]


class _ValueSetAdapter:
    """P4Runtime value-set members (one match per member) onto the engine's (value, mask) pairs
    over the packed select key."""

    def __init__(self, vset: ValueSet, kinds: Sequence[str]) -> None:
        self.vset = vset
        self.size = vset.size
        self.kinds = tuple(kinds)

    def set_members(self, members: Sequence[Match]) -> None:
        widths = self.vset.widths
        pairs: list[tuple[int, int]] = []
        for match in members:
            value = 0
            mask = 0
            for width, kind, item in zip(widths, self.kinds, match, strict=False):
                full = (1 << width) - 1
                if item is None:
                    v, m = 0, 0
                elif isinstance(item, int):
                    v, m = item, full
                elif kind == "lpm":
                    v, plen = item
                    m = full ^ ((1 << (width - plen)) - 1)
                elif kind == "range":
                    if item != (0, full):
                        raise EntityError(ErrorCode.UNIMPLEMENTED, "range matches in value sets are not supported")
                    v, m = 0, 0
                else:
                    v, m = item
                value = (value << width) | (v & full)
                mask = (mask << width) | (m & full)
            pairs.append((value, mask))
        self.vset.clear()
        for value, mask in pairs:
            self.vset.add(value, mask)


def objects_of_switch(switch: Switch, info: p4i.P4Info) -> ProgramObjects:
    """The switch's run-time objects under their P4Info names."""
    program = switch.program
    digest_names = list(program.digest_names)
    tuple_digests: dict[int, str] = {}
    count = 0
    for position, name in enumerate(digest_names):
        if not name:
            tuple_digests[position] = f"digest_{count}"
            count += 1
    queue = switch.digests

    def take_digests() -> list[DigestSample]:
        if not queue:
            return []
        out: list[DigestSample] = []
        while queue:
            message = queue.popleft()
            name = message.name or tuple_digests.get(message.index, "")
            out.append((name, message.values))
        return out

    kinds = {
        vs.preamble.name: [p4i.MatchField.MatchType.Name(m.match_type).lower() for m in vs.match] for vs in info.value_sets
    }
    return ProgramObjects(
        process=switch.process,
        tables={name: rt.table for name, rt in program.tables.items()},
        table_actions={name: dict(rt.actions) for name, rt in program.tables.items()},
        action_profiles=dict(program.action_profiles),
        counters=dict(program.counters),
        meters=dict(program.meters),
        registers=dict(program.registers),
        value_sets={name: _ValueSetAdapter(vs, kinds.get(name, ())) for name, vs in program.value_sets.items()},
        pre=switch.pre,
        take_digests=take_digests,
    )


def load_frontend(compiled: CompiledFrontend) -> tuple[p4i.P4Info, ProgramObjects]:
    """P4Info and objects of a running switch for an already compiled program."""
    from softswitch.engine.pipeline import Switch
    from softswitch.engine.program import Program
    from softswitch.frontend.errors import P4Error
    from softswitch.frontend.p4info_spec import to_program_spec
    from softswitch.p4info.build import build_p4info
    from softswitch.p4info.model import P4InfoError

    try:
        info = build_p4info(to_program_spec(compiled.elaborated))
        switch = Switch(Program.from_frontend(compiled))
    except (P4Error, P4InfoError) as err:
        raise ValueError(f"the program in the device config cannot be loaded: {err}") from None
    return info, objects_of_switch(switch, info)


def load_device_config(data: bytes) -> tuple[p4i.P4Info, ProgramObjects]:
    """The server's pipeline loader; raises ValueError (naming the expected format) on bad input."""
    from softswitch.engine.device_config import decode_device_config
    from softswitch.frontend.compiler import compile_text
    from softswitch.frontend.errors import P4Error

    filename, source = decode_device_config(data)
    try:
        compiled = compile_text(source, filename)
    except P4Error as err:
        raise ValueError(f"the program in the device config does not compile: {err}") from None
    except RecursionError:
        raise ValueError("the program in the device config nests too deeply") from None
    return load_frontend(compiled)
