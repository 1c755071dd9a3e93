"""Direct meters (read() in an action), direct counters and externs constructed in place in table
properties, through STF; the P4Info names given to in-place externs."""

from __future__ import annotations

from pathlib import Path

import pytest

from softswitch.frontend.compiler import compile_file
from softswitch.frontend.errors import P4Error
from softswitch.frontend.p4info_spec import to_program_spec
from softswitch.p4info.build import build_p4info
from softswitch.stf.engine_target import run_stf_program
from softswitch.stf.runner import format_result

PROGRAMS = Path(__file__).resolve().parent / "programs"


def test_direct_meter_colour_and_in_place_externs() -> None:
    result = run_stf_program(PROGRAMS / "direct_resources.p4", PROGRAMS / "direct_resources.stf")
    assert result.status == "pass", format_result(result)
    # The file expects on ports it never sends to, so, as with p4c's harness on BMv2, every CLI
    # command takes effect before the first packet: the counter is read while still 0.
    assert any("ingress.cnt.counters[0] = 0 packets" in n for n in result.notes), result.notes


def test_in_place_externs_without_name_are_refused_for_p4runtime() -> None:
    # p4c refuses to write P4Info for an in-place extern without @name: a controller could not
    # name it. softswitch gives the same error, at the property.
    with pytest.raises(P4Error) as err:
        to_program_spec(compile_file(PROGRAMS / "direct_resources.p4").elaborated)
    assert "anonymous table property 'implementation'" in err.value.message
    assert err.value.loc is not None and err.value.loc.line == 65


def test_in_place_externs_are_named_after_table_and_property() -> None:
    # BMv2 runs such a program (only its P4Info is refused); for STF, softswitch names the
    # externs <table>.<property> so STF commands can reach them.
    p4info = build_p4info(
        to_program_spec(compile_file(PROGRAMS / "direct_resources.p4").elaborated, for_p4runtime=False)
    )
    tables = {t.preamble.name: t for t in p4info.tables}
    profiles = {p.preamble.name: p for p in p4info.action_profiles}
    assert set(profiles) == {"ingress.sel.implementation", "ingress.prof.implementation"}
    assert profiles["ingress.sel.implementation"].with_selector
    assert profiles["ingress.sel.implementation"].size == 64
    assert not profiles["ingress.prof.implementation"].with_selector
    assert profiles["ingress.prof.implementation"].size == 128
    assert list(profiles["ingress.sel.implementation"].table_ids) == [tables["ingress.sel"].preamble.id]
    assert tables["ingress.sel"].implementation_id == profiles["ingress.sel.implementation"].preamble.id
    (counter,) = p4info.direct_counters
    assert counter.preamble.name == "ingress.cnt.counters"
    assert counter.direct_table_id == tables["ingress.cnt"].preamble.id
    meters = {m.preamble.name: m for m in p4info.direct_meters}
    assert set(meters) == {"ingress.lpm_meter", "ingress.mtr.meters"}
    assert meters["ingress.mtr.meters"].direct_table_id == tables["ingress.mtr"].preamble.id
    assert list(tables["ingress.mtr"].direct_resource_ids) == [meters["ingress.mtr.meters"].preamble.id]
