"""Tests for softswitch.engine.pre: BMv2 CLI and P4Runtime views of multicast and cloning."""

from __future__ import annotations

import pytest

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.pre import CloneSession, PacketReplicationEngine


def code(fn: object, *args: object) -> ErrorCode:
    with pytest.raises(EntityError) as exc:
        fn(*args)  # type: ignore[operator]
    return exc.value.code


# ------------------------------------------------------------------------------ BMv2 model


def test_replica_order_follows_association_then_ascending_ports() -> None:
    pre = PacketReplicationEngine()
    pre.mc_mgrp_create(1)
    h0 = pre.mc_node_create(5, [3, 1, 2])
    h1 = pre.mc_node_create(7, [0])
    assert (h0, h1) == (0, 1)
    pre.mc_node_associate(1, h1)
    pre.mc_node_associate(1, h0)
    assert pre.replicas(1) == ((7, 0), (5, 1), (5, 2), (5, 3))


def test_unknown_and_empty_groups_give_no_copies() -> None:
    pre = PacketReplicationEngine()
    assert pre.replicas(42) == ()
    pre.mc_mgrp_create(42)
    assert pre.replicas(42) == ()


def test_node_handles_are_lowest_free() -> None:
    pre = PacketReplicationEngine()
    assert [pre.mc_node_create(1, [1]) for _ in range(3)] == [0, 1, 2]
    pre.mc_node_destroy(1)
    pre.mc_node_destroy(0)
    assert pre.mc_node_create(9, [9]) == 0
    assert pre.mc_node_create(9, [9]) == 1
    assert pre.mc_node_create(9, [9]) == 3


def test_node_update_dissociate_destroy_refresh_the_group() -> None:
    pre = PacketReplicationEngine()
    pre.mc_mgrp_create(3)
    a = pre.mc_node_create(1, [1])
    b = pre.mc_node_create(2, [2])
    pre.mc_node_associate(3, a)
    pre.mc_node_associate(3, b)
    pre.mc_node_update(a, [4, 0])
    assert pre.replicas(3) == ((1, 0), (1, 4), (2, 2))
    pre.mc_node_dissociate(3, a)
    assert pre.replicas(3) == ((2, 2),)
    pre.mc_node_associate(3, a)  # re-associated nodes go to the end
    assert pre.replicas(3) == ((2, 2), (1, 0), (1, 4))
    pre.mc_node_destroy(b)  # destroying an associated node dissociates it
    assert pre.replicas(3) == ((1, 0), (1, 4))
    pre.mc_mgrp_destroy(3)
    assert pre.replicas(3) == ()
    pre.mc_mgrp_create(4)
    pre.mc_node_associate(4, a)  # nodes of a destroyed group can be reused
    assert pre.replicas(4) == ((1, 0), (1, 4))


def test_cli_model_errors() -> None:
    pre = PacketReplicationEngine()
    pre.mc_mgrp_create(1)
    pre.mc_mgrp_create(1)  # creating twice is harmless, as in BMv2
    h = pre.mc_node_create(0, [1])
    assert code(pre.mc_node_associate, 2, h) is ErrorCode.NOT_FOUND
    assert code(pre.mc_node_associate, 1, 99) is ErrorCode.NOT_FOUND
    pre.mc_node_associate(1, h)
    assert code(pre.mc_node_associate, 1, h) is ErrorCode.FAILED_PRECONDITION
    pre.mc_mgrp_create(2)
    assert code(pre.mc_node_dissociate, 2, h) is ErrorCode.FAILED_PRECONDITION
    assert code(pre.mc_node_update, 99, [1]) is ErrorCode.NOT_FOUND
    assert code(pre.mc_node_destroy, 99) is ErrorCode.NOT_FOUND
    assert code(pre.mc_node_create, 0, [512]) is ErrorCode.INVALID_ARGUMENT
    assert code(pre.mc_node_create, 0x10000, [1]) is ErrorCode.INVALID_ARGUMENT
    assert code(pre.mc_mgrp_create, 0x10000) is ErrorCode.INVALID_ARGUMENT
    pre.mc_mgrp_destroy(77)  # unknown group: ignored


# ------------------------------------------------------------------------- P4Runtime groups


def test_p4runtime_group_one_node_per_instance() -> None:
    pre = PacketReplicationEngine()
    pre.insert_group(1, [(2, 1), (1, 1), (3, 2)])
    assert pre.replicas(1) == ((1, 1), (1, 2), (2, 3))
    assert pre.read_group(1) == [(1, 1), (2, 1), (3, 2)]
    assert pre.group_ids() == [1]


def test_p4runtime_group_errors() -> None:
    pre = PacketReplicationEngine()
    assert code(pre.insert_group, 0, [(1, 0)]) is ErrorCode.INVALID_ARGUMENT
    assert code(pre.insert_group, 32768, [(1, 0)]) is ErrorCode.OUT_OF_RANGE
    assert code(pre.insert_group, 5, [(1, 0), (1, 0)]) is ErrorCode.INVALID_ARGUMENT
    assert pre.replicas(5) == () and pre.group_ids() == []  # a refused insert leaves nothing
    pre.insert_group(5, [(1, 0)])
    assert code(pre.insert_group, 5, [(2, 0)]) is ErrorCode.ALREADY_EXISTS
    assert code(pre.modify_group, 6, [(2, 0)]) is ErrorCode.NOT_FOUND
    assert code(pre.delete_group, 6) is ErrorCode.NOT_FOUND
    assert code(pre.read_group, 6) is ErrorCode.NOT_FOUND
    assert code(pre.read_group, 40000) is ErrorCode.OUT_OF_RANGE
    assert code(pre.modify_group, 0, []) is ErrorCode.INVALID_ARGUMENT
    assert code(pre.delete_group, 32768) is ErrorCode.OUT_OF_RANGE
    assert code(pre.modify_group, 5, [(3, 0), (3, 0)]) is ErrorCode.INVALID_ARGUMENT
    assert pre.replicas(5) == ((0, 1),)  # a refused modify changes nothing


def test_p4runtime_modify_keeps_node_order_and_appends_new_nodes() -> None:
    pre = PacketReplicationEngine()
    pre.insert_group(9, [(1, 10), (2, 20), (3, 30)])
    assert pre.replicas(9) == ((10, 1), (20, 2), (30, 3))
    pre.modify_group(9, [(4, 40), (5, 30), (6, 10)])
    assert pre.replicas(9) == ((10, 6), (30, 5), (40, 4))
    assert pre.read_group(9) == [(6, 10), (5, 30), (4, 40)]
    pre.delete_group(9)
    assert pre.replicas(9) == () and pre.group_ids() == []


def test_p4runtime_and_cli_share_node_handles() -> None:
    pre = PacketReplicationEngine()
    pre.insert_group(1, [(1, 0), (1, 1)])  # nodes 0 and 1
    assert pre.mc_node_create(3, [3]) == 2
    pre.delete_group(1)
    assert pre.mc_node_create(3, [3]) == 0


def test_cli_cannot_destroy_p4runtime_group_and_p4runtime_sees_cli_ids() -> None:
    pre = PacketReplicationEngine()
    pre.insert_group(1, [(1, 0)])
    assert code(pre.mc_mgrp_destroy, 1) is ErrorCode.FAILED_PRECONDITION
    pre.mc_mgrp_create(2)
    assert code(pre.insert_group, 2, [(1, 0)]) is ErrorCode.ALREADY_EXISTS


# -------------------------------------------------------------------------- clone sessions


def test_mirroring_add_to_port_and_to_group() -> None:
    pre = PacketReplicationEngine()
    assert pre.clone_session(5) is None
    pre.mirroring_add(5, 3)
    assert pre.clone_session(5) == CloneSession(5, egress_port=3)
    pre.mirroring_add_mc(5, 10)  # replaces the previous configuration
    s = pre.clone_session(5)
    assert s is not None and s.egress_port is None and s.mcast_grp == 10
    pre.mirroring_add(0, 1)  # BMv2 accepts session 0
    assert pre.mirroring_get(0) == CloneSession(0, egress_port=1)
    pre.mirroring_delete(5)
    assert pre.clone_session(5) is None
    assert code(pre.mirroring_delete, 5) is ErrorCode.NOT_FOUND
    assert code(pre.mirroring_add, 32768, 1) is ErrorCode.INVALID_ARGUMENT


def test_p4runtime_clone_session_is_a_hidden_group() -> None:
    pre = PacketReplicationEngine()
    pre.insert_clone_session(100, [(2, 0), (3, 1)])
    s = pre.clone_session(100)
    assert s is not None and s.mcast_grp == 32768 + 100 and s.egress_port is None
    assert pre.replicas(32868) == ((0, 2), (1, 3))
    assert pre.group_ids() == []  # hidden from multicast group reads
    entry = pre.read_clone_session(100)
    assert (entry.session_id, entry.replicas, entry.class_of_service, entry.packet_length_bytes) == (
        100,
        [(2, 0), (3, 1)],
        0,
        0,
    )
    assert pre.clone_session_ids() == [100]
    pre.modify_clone_session(100, [(7, 0)])
    assert pre.replicas(32868) == ((0, 7),)
    pre.delete_clone_session(100)
    assert pre.clone_session(100) is None and pre.replicas(32868) == ()
    assert pre.clone_session_ids() == []


def test_p4runtime_clone_session_errors() -> None:
    pre = PacketReplicationEngine()
    assert code(pre.insert_clone_session, 0, []) is ErrorCode.INVALID_ARGUMENT
    assert code(pre.insert_clone_session, 32768, []) is ErrorCode.INVALID_ARGUMENT
    assert code(pre.insert_clone_session, 1, [(1, 0)], 3) is ErrorCode.UNIMPLEMENTED
    assert code(pre.insert_clone_session, 1, [(1, 0)], 0, 128) is ErrorCode.UNKNOWN
    # replica errors are reported before configuration errors
    assert code(pre.insert_clone_session, 1, [(1, 0), (1, 0)], 3) is ErrorCode.INVALID_ARGUMENT
    assert pre.clone_session(1) is None and pre.replicas(32769) == ()  # nothing left behind
    pre.insert_clone_session(1, [(1, 0)])
    assert code(pre.insert_clone_session, 1, [(1, 0)]) is ErrorCode.ALREADY_EXISTS
    assert code(pre.modify_clone_session, 2, []) is ErrorCode.NOT_FOUND
    assert code(pre.modify_clone_session, 1, [(1, 0)], 1) is ErrorCode.UNIMPLEMENTED
    assert pre.replicas(32769) == ((0, 1),)
    assert code(pre.delete_clone_session, 2) is ErrorCode.NOT_FOUND
    assert code(pre.read_clone_session, 2) is ErrorCode.NOT_FOUND


def test_clear_forgets_everything() -> None:
    pre = PacketReplicationEngine()
    pre.insert_group(1, [(1, 0)])
    pre.insert_clone_session(2, [(1, 0)])
    pre.mirroring_add(3, 4)
    pre.clear()
    assert pre.replicas(1) == () and pre.clone_session(2) is None and pre.clone_session(3) is None
    assert pre.mc_node_create(0, [1]) == 0


def test_cli_node_with_a_port_listed_twice_is_refused() -> None:
    # simple_switch_CLI refuses "mc_node_create 300 3 3 2" (duplicate port) and creates no node,
    # so the next node still gets the lowest free handle.
    pre = PacketReplicationEngine()
    assert code(pre.mc_node_create, 300, [3, 3, 2]) is ErrorCode.INVALID_ARGUMENT
    assert pre.mc_node_create(300, [3, 2]) == 0
    assert code(pre.mc_node_update, 0, [1, 1]) is ErrorCode.INVALID_ARGUMENT
