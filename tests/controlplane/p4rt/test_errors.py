"""P4RuntimeError: decoding gRPC failures (with per-update details) and the predicates on them.

The errors are built the way they arrive from a switch: a grpc AioRpcError whose trailer
``grpc-status-details-bin`` holds a google.rpc.Status with one p4.v1.Error per update (P4Runtime
spec §12.3; OK for the updates that succeeded).
"""

from __future__ import annotations

import grpc
from finsy import P4ClientError
from finsy.proto import p4r, rpc_code, rpc_status
from google.protobuf import any_pb2  # type: ignore[import-untyped]

from controlplane.p4rt import TARGET_WORDINGS, GRPCStatusCode, P4RuntimeError

SPACE = "ALL-sswitch-p4org"


def client_error(code: grpc.StatusCode, message: str, per_update: list[int] | None = None) -> P4ClientError:
    """What finsy raises for a call that ended with ``code``; ``per_update`` lists codes by index."""
    trailer = grpc.aio.Metadata()
    if per_update is not None:
        status = rpc_status.Status(code=code.value[0], message=message)
        for number in per_update:
            packed = any_pb2.Any()
            packed.Pack(p4r.Error(canonical_code=number, message=f"update said {number}", space=SPACE, code=7))
            status.details.append(packed)
        trailer = grpc.aio.Metadata(("grpc-status-details-bin", status.SerializeToString()))
    rpc = grpc.aio.AioRpcError(code, grpc.aio.Metadata(), trailer, message)
    return P4ClientError(rpc, "Write")


def test_per_update_errors_keep_their_index_in_the_whole_write() -> None:
    updates = [p4r.Update(type=p4r.Update.INSERT) for _ in range(3)]
    sources = [f"entity{i}" for i in range(10)]
    err = P4RuntimeError.from_client_error(
        client_error(grpc.StatusCode.UNKNOWN, "", [rpc_code.OK, rpc_code.ALREADY_EXISTS, rpc_code.OK]),
        operation="Write", switch="s1", index_offset=6, updates=updates, sources=sources,
    )
    assert err.code == GRPCStatusCode.UNKNOWN
    assert [(d.index, d.code) for d in err.details] == [(7, GRPCStatusCode.ALREADY_EXISTS)]
    detail = err.details[0]
    assert detail.message == f"update said {rpc_code.ALREADY_EXISTS}"
    assert detail.space == SPACE and detail.target_code == 7
    assert detail.update is updates[1]
    assert detail.source == "entity7"
    assert err.any_already_exists and err.all_already_exists
    assert not err.all_not_found and not err.any_not_found
    assert "switch s1: Write failed" in str(err) and "[7] ALREADY_EXISTS" in str(err)


def test_all_not_found_needs_every_failure_to_be_not_found() -> None:
    nf = rpc_code.NOT_FOUND
    only_nf = P4RuntimeError.from_client_error(client_error(grpc.StatusCode.UNKNOWN, "", [nf, rpc_code.OK, nf]), operation="Write")
    assert only_nf.all_not_found and only_nf.only(GRPCStatusCode.NOT_FOUND)
    assert only_nf.codes == {GRPCStatusCode.NOT_FOUND}
    mixed = P4RuntimeError.from_client_error(
        client_error(grpc.StatusCode.UNKNOWN, "", [nf, rpc_code.INVALID_ARGUMENT]), operation="Write"
    )
    assert not mixed.all_not_found and mixed.any_not_found
    assert mixed.any(GRPCStatusCode.INVALID_ARGUMENT)
    # a whole-request failure has no per-update details: "all NOT_FOUND" must not hold vacuously
    whole = P4RuntimeError.from_client_error(client_error(grpc.StatusCode.UNAVAILABLE, "down"), operation="Write")
    assert whole.details == () and not whole.all_not_found and whole.is_unavailable


def test_merge_collects_the_failures_of_every_batch() -> None:
    first = P4RuntimeError.from_client_error(
        client_error(grpc.StatusCode.UNKNOWN, "", [rpc_code.OK, rpc_code.NOT_FOUND]), operation="Write", switch="s1"
    )
    second = P4RuntimeError.from_client_error(
        client_error(grpc.StatusCode.UNKNOWN, "", [rpc_code.ALREADY_EXISTS]), operation="Write", switch="s1",
        index_offset=2,
    )
    merged = P4RuntimeError.merge([second, first], total_updates=3)
    assert [d.index for d in merged.details] == [1, 2]
    assert merged.code == GRPCStatusCode.UNKNOWN and merged.message == "2 of 3 updates failed"
    assert merged.total_updates == 3


def test_long_detail_lists_are_summarized() -> None:
    err = P4RuntimeError.from_client_error(
        client_error(grpc.StatusCode.UNKNOWN, "", [rpc_code.NOT_FOUND] * 8), operation="Write"
    )
    assert "and 3 more" in str(err)


def test_each_targets_wording_is_recognized() -> None:
    # Messages as simple_switch_grpc (PI) and softswitch send them.
    cases = [
        (grpc.StatusCode.PERMISSION_DENIED, "Not primary", "is_not_primary"),
        (grpc.StatusCode.PERMISSION_DENIED, "Not primary: no controller has arbitrated; open a StreamChannel", "is_not_primary"),
        (grpc.StatusCode.FAILED_PRECONDITION, "No forwarding pipeline config set for this device", "is_pipeline_missing"),
        (grpc.StatusCode.INVALID_ARGUMENT, "Election id already exists", "is_election_id_in_use"),
        (grpc.StatusCode.FAILED_PRECONDITION,
         "No valid forwarding pipeline config has been pushed for any node so far.", "is_pipeline_missing"),
    ]
    predicates = ["is_not_primary", "is_pipeline_missing", "is_election_id_in_use", "is_unavailable"]
    for code, message, expected in cases:
        err = P4RuntimeError.from_client_error(client_error(code, message), operation="Write")
        assert err.message == message
        for name in predicates:
            assert getattr(err, name) == (name == expected), (message, name)
    assert {w.target for w in TARGET_WORDINGS} >= {"softswitch", "bmv2"}


def test_same_code_other_wording_is_not_misread() -> None:
    err = P4RuntimeError.from_client_error(
        client_error(grpc.StatusCode.FAILED_PRECONDITION, "No saved pipeline config to commit"), operation="Set"
    )
    assert not err.is_pipeline_missing


def test_stream_error_becomes_the_same_exception_type() -> None:
    stream_error = p4r.StreamError(
        canonical_code=rpc_code.INVALID_ARGUMENT, message="unknown metadata id 99", packet_out=p4r.PacketOutError()
    )
    err = P4RuntimeError.from_stream_error(stream_error, switch="s2")
    assert err.code == GRPCStatusCode.INVALID_ARGUMENT
    assert err.operation == "StreamChannel (packet_out)"
    assert str(err) == "switch s2: StreamChannel (packet_out) failed: INVALID_ARGUMENT: unknown metadata id 99"
