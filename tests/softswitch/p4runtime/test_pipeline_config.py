"""Set/GetForwardingPipelineConfig on a switch started with --no-p4: every action and response type.

Expected behaviour: P4TARGET.md §5 "SetForwardingPipelineConfig" and DESIGN.md "Device config"
(any format other than softswitch's, BMv2 JSON included, is INVALID_ARGUMENT naming the format).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from finsy.proto import p4r

from softswitch.engine.device_config import encode_device_config
from softswitch.frontend.compiler import compile_file
from softswitch.frontend.p4info_spec import to_program_spec
from softswitch.p4info.build import build_p4info
from tests.softswitch.p4runtime.p4rt_harness import (
    PROGRAMS,
    Client,
    SwitchProcess,
    action,
    code_of,
    exact,
    insert,
)

Set = p4r.SetForwardingPipelineConfigRequest
Get = p4r.GetForwardingPipelineConfigRequest


def config_of(program: Path, cookie: int | None = None) -> p4r.ForwardingPipelineConfig:
    compiled = compile_file(program)
    config = p4r.ForwardingPipelineConfig()
    config.p4info.CopyFrom(build_p4info(to_program_spec(compiled.elaborated)))
    config.p4_device_config = encode_device_config(compiled)
    if cookie is not None:
        config.cookie.cookie = cookie
    return config


@pytest.fixture(scope="module")
def configs() -> dict[str, p4r.ForwardingPipelineConfig]:
    return {
        "loopback": config_of(PROGRAMS / "loopback.p4", cookie=11),
        "runtime_all": config_of(PROGRAMS / "runtime_all.p4", cookie=22),
    }


@pytest.fixture
def bare() -> Iterator[SwitchProcess]:
    proc = SwitchProcess(None)
    try:
        yield proc
        assert proc.alive(), proc.stderr()
    finally:
        proc.stop()


def set_config(client: Client, kind: Any, config: p4r.ForwardingPipelineConfig | None) -> None:
    request = Set(device_id=0, action=kind)
    assert client.election_id is not None
    request.election_id.low = client.election_id
    if config is not None:
        request.config.CopyFrom(config)
    client.stub.SetForwardingPipelineConfig(request)


def get_config(client: Client, kind: Any = Get.ALL) -> p4r.ForwardingPipelineConfig:
    config: p4r.ForwardingPipelineConfig = client.stub.GetForwardingPipelineConfig(
        Get(device_id=0, response_type=kind)
    ).config
    return config


def error_of(fn: object, *args: object) -> grpc.RpcError:
    with pytest.raises(grpc.RpcError) as info:
        fn(*args)  # type: ignore[operator]
    return info.value


def loopback_entry(client: Client, port: int) -> p4r.Update:
    info = client.p4info
    table = next(t for t in info.tables if t.preamble.name == "I.ports")
    reflect = next(a for a in info.actions if a.preamble.name == "I.reflect")
    return insert(
        table_entry=p4r.TableEntry(
            table_id=table.preamble.id, match=[exact(1, bytes([port]))], action=action(reflect.preamble.id)
        )
    )


def test_no_pipeline_yet(bare: SwitchProcess) -> None:
    client = Client(bare.address)
    try:
        client.become_primary(1)  # arbitration works without a pipeline
        assert client.stub.Capabilities(p4r.CapabilitiesRequest()).p4runtime_api_version
        for call in (
            lambda: client.read(p4r.Entity(table_entry=p4r.TableEntry())),
            lambda: client.write(),
            lambda: get_config(client),
        ):
            assert code_of(error_of(call)) == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        client.close()


def test_actions_and_response_types(bare: SwitchProcess, configs: dict[str, p4r.ForwardingPipelineConfig]) -> None:
    client = Client(bare.address)
    try:
        client.become_primary(1)
        loopback, runtime_all = configs["loopback"], configs["runtime_all"]
        assert code_of(error_of(set_config, client, Set.UNSPECIFIED, loopback)) == grpc.StatusCode.INVALID_ARGUMENT
        assert code_of(error_of(set_config, client, Set.COMMIT, None)) == grpc.StatusCode.FAILED_PRECONDITION

        # VERIFY checks without installing anything
        set_config(client, Set.VERIFY, loopback)
        assert code_of(error_of(get_config, client)) == grpc.StatusCode.FAILED_PRECONDITION

        set_config(client, Set.VERIFY_AND_COMMIT, loopback)
        everything = get_config(client, Get.ALL)
        assert everything == loopback
        assert get_config(client, Get.COOKIE_ONLY) == p4r.ForwardingPipelineConfig(cookie=loopback.cookie)
        assert get_config(client, Get.P4INFO_AND_COOKIE) == p4r.ForwardingPipelineConfig(
            p4info=loopback.p4info, cookie=loopback.cookie
        )
        assert get_config(client, Get.DEVICE_CONFIG_AND_COOKIE) == p4r.ForwardingPipelineConfig(
            p4_device_config=loopback.p4_device_config, cookie=loopback.cookie
        )
        bad_type = Get(device_id=0, response_type=9)  # type: ignore[arg-type]
        assert code_of(error_of(client.stub.GetForwardingPipelineConfig, bad_type)) == grpc.StatusCode.INVALID_ARGUMENT

        # VERIFY_AND_COMMIT wipes the forwarding state
        client.write(loopback_entry(client, 1))
        set_config(client, Set.VERIFY_AND_COMMIT, loopback)
        assert client.read(p4r.Entity(table_entry=p4r.TableEntry())) == []

        # RECONCILE_AND_COMMIT keeps it
        client.write(loopback_entry(client, 2))
        set_config(client, Set.RECONCILE_AND_COMMIT, loopback)
        (kept,) = client.read(p4r.Entity(table_entry=p4r.TableEntry()))
        assert kept.table_entry.match[0].exact.value == b"\x02"

        # VERIFY_AND_SAVE: later requests refer to the saved config (spec; BMv2 does the same),
        # and COMMIT realizes it with what they wrote
        set_config(client, Set.VERIFY_AND_SAVE, runtime_all)
        assert get_config(client).cookie.cookie == 22
        refused_update = error_of(client.write, loopback_entry(client, 3))  # a table of the old config
        assert code_of(refused_update) == grpc.StatusCode.UNKNOWN
        t_idle = next(t for t in runtime_all.p4info.tables if t.preamble.name.endswith("t_idle"))
        no_action = next(a for a in runtime_all.p4info.actions if a.preamble.name == "NoAction")
        written = p4r.TableEntry(
            table_id=t_idle.preamble.id, match=[exact(1, b"\x07")], action=action(no_action.preamble.id)
        )
        client.write(insert(table_entry=written))
        set_config(client, Set.COMMIT, None)
        assert get_config(client) == runtime_all
        (kept_entry,) = client.read(p4r.Entity(table_entry=p4r.TableEntry(table_id=t_idle.preamble.id)))
        assert kept_entry.table_entry.match == written.match
        assert code_of(error_of(set_config, client, Set.COMMIT, None)) == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        client.close()


def test_refused_configs(bare: SwitchProcess, configs: dict[str, p4r.ForwardingPipelineConfig]) -> None:
    client = Client(bare.address)
    try:
        client.become_primary(1)
        bmv2 = p4r.ForwardingPipelineConfig()
        bmv2.CopyFrom(configs["loopback"])
        bmv2.p4_device_config = json.dumps({"header_types": [], "pipelines": []}).encode()
        err = error_of(set_config, client, Set.VERIFY_AND_COMMIT, bmv2)
        assert code_of(err) == grpc.StatusCode.INVALID_ARGUMENT
        assert "softswitch-p4/1" in (err.details() or "") and "BMv2" in (err.details() or "")

        garbage = p4r.ForwardingPipelineConfig()
        garbage.CopyFrom(configs["loopback"])
        garbage.p4_device_config = b"\x00\x01\x02"
        assert code_of(error_of(set_config, client, Set.VERIFY_AND_COMMIT, garbage)) == grpc.StatusCode.INVALID_ARGUMENT

        mismatched = p4r.ForwardingPipelineConfig()
        mismatched.CopyFrom(configs["loopback"])
        mismatched.p4info.tables[0].preamble.id ^= 1
        err = error_of(set_config, client, Set.VERIFY_AND_COMMIT, mismatched)
        assert code_of(err) == grpc.StatusCode.INVALID_ARGUMENT and "P4Info" in (err.details() or "")

        other_program = p4r.ForwardingPipelineConfig()
        other_program.CopyFrom(configs["loopback"])
        other_program.p4info.CopyFrom(configs["runtime_all"].p4info)
        assert code_of(error_of(set_config, client, Set.VERIFY, other_program)) == grpc.StatusCode.INVALID_ARGUMENT

        broken_source = p4r.ForwardingPipelineConfig()
        broken_source.CopyFrom(configs["loopback"])
        doc = json.loads(broken_source.p4_device_config)
        doc["source"] += "\ncontrol {"
        broken_source.p4_device_config = json.dumps(doc).encode()
        err = error_of(set_config, client, Set.VERIFY_AND_COMMIT, broken_source)
        assert code_of(err) == grpc.StatusCode.INVALID_ARGUMENT
        # nothing was installed by any of these
        assert code_of(error_of(get_config, client)) == grpc.StatusCode.FAILED_PRECONDITION
    finally:
        client.close()
