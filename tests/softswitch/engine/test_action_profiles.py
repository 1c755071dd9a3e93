"""Tests for softswitch.engine.action_profiles: members, groups, selection, references."""

from __future__ import annotations

import pytest

from softswitch.engine.action_profiles import ActionProfile, Group, Member
from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.tables import KeySpec, MatchKind, Table


def code(fn: object, *args: object, **kw: object) -> ErrorCode:
    with pytest.raises(EntityError) as exc:
        fn(*args, **kw)  # type: ignore[operator]
    return exc.value.code


def selector() -> ActionProfile[str]:
    ap: ActionProfile[str] = ActionProfile("ingress.sel", 128, with_selector=True)
    for mid, port in ((10, 1), (20, 2), (30, 3)):
        ap.insert_member(mid, "set_port", [port])
    return ap


def test_member_crud_and_errors() -> None:
    ap = selector()
    assert code(ap.insert_member, 10, "x") is ErrorCode.ALREADY_EXISTS
    m = ap.modify_member(10, "set_port", [9])
    assert (m.action, m.args) == ("set_port", (9,))
    assert code(ap.modify_member, 99, "x") is ErrorCode.NOT_FOUND
    ap.delete_member(30)
    assert code(ap.delete_member, 30) is ErrorCode.NOT_FOUND
    assert sorted(ap.members) == [10, 20]


def test_group_selection_is_hash_mod_group_size() -> None:
    ap = selector()
    g = ap.insert_group(1, [(30, 1, None), (10, 1, None), (20, 1, None)])
    # members ordered by handle (creation order): 10, 20, 30
    picks = [g.select(h) for h in range(6)]
    assert [p.member_id for p in picks if p is not None] == [10, 20, 30, 10, 20, 30]
    assert g.member_specs() == [(30, 1, None), (10, 1, None), (20, 1, None)]


def test_weights_repeat_members() -> None:
    ap = selector()
    g = ap.insert_group(1, [(10, 2, None), (20, 1, None)])
    assert [m.member_id for m in g.selection] == [10, 10, 20]
    assert g.select(5) is g.selection[5 % 3]


def test_member_modify_is_seen_through_groups_and_entries() -> None:
    ap = selector()
    g = ap.insert_group(1, [(10, 1, None)])
    ap.modify_member(10, "drop", [])
    chosen = g.select(123)
    assert chosen is not None and chosen.action == "drop"


def test_empty_group_selects_nothing() -> None:
    ap = selector()
    g = ap.insert_group(2, [])
    assert g.select(0) is None


def test_group_errors_like_pi() -> None:
    ap = selector()
    ap.insert_group(1, [(10, 1, None)])
    assert code(ap.insert_group, 1, []) is ErrorCode.ALREADY_EXISTS
    assert code(ap.insert_group, 2, [(99, 1, None)]) is ErrorCode.NOT_FOUND
    assert code(ap.insert_group, 2, [(10, 1, None), (10, 2, None)]) is ErrorCode.INVALID_ARGUMENT
    assert code(ap.insert_group, 2, [(10, 0, None)]) is ErrorCode.INVALID_ARGUMENT
    assert (
        code(ap.insert_group, 2, [(10, 2, None), (20, 2, None)], max_size=3) is ErrorCode.RESOURCE_EXHAUSTED
    )
    assert code(ap.insert_group, 2, [], max_size=-1) is ErrorCode.INVALID_ARGUMENT
    assert 2 not in ap.groups  # refused inserts leave no group behind
    assert code(ap.modify_group, 3, []) is ErrorCode.NOT_FOUND
    assert code(ap.delete_group, 3) is ErrorCode.NOT_FOUND
    ap.insert_group(4, [(10, 1, None)], max_size=4)
    assert code(ap.modify_group, 4, [(20, 1, None)], max_size=5) is ErrorCode.INVALID_ARGUMENT
    ap.modify_group(4, [(20, 1, None)], max_size=4)
    assert code(ap.modify_group, 4, [(10, 3, None), (20, 2, None)]) is ErrorCode.RESOURCE_EXHAUSTED


def test_static_max_group_size() -> None:
    ap: ActionProfile[str] = ActionProfile("s", with_selector=True, max_group_size=2)
    ap.insert_member(1, "a")
    ap.insert_member(2, "b")
    ap.insert_member(3, "c")
    assert code(ap.insert_group, 1, [], max_size=3) is ErrorCode.INVALID_ARGUMENT
    assert (
        code(ap.insert_group, 1, [(1, 1, None), (2, 1, None), (3, 1, None)]) is ErrorCode.RESOURCE_EXHAUSTED
    )
    ap.insert_group(1, [(1, 1, None), (2, 1, None)])


def test_member_in_a_group_cannot_be_deleted() -> None:
    ap = selector()
    ap.insert_group(1, [(10, 1, None), (20, 1, None)])
    assert code(ap.delete_member, 10) is ErrorCode.UNKNOWN
    ap.modify_group(1, [(20, 1, None)])
    ap.delete_member(10)
    ap.delete_group(1)
    ap.delete_member(20)
    assert ap.members.keys() == {30}


def test_profile_without_selector_has_no_groups() -> None:
    ap: ActionProfile[str] = ActionProfile("prof")
    ap.insert_member(1, "a")
    assert code(ap.insert_group, 1, []) is ErrorCode.INVALID_ARGUMENT
    assert code(ap.group_for_entry, 1) is ErrorCode.INVALID_ARGUMENT


def test_watch_port_down_removes_member_from_selection() -> None:
    ap = selector()
    g = ap.insert_group(1, [(10, 1, 5), (20, 1, 6), (30, 1, None)])
    ap.set_port_status(5, up=False)
    assert [m.member_id for m in g.selection] == [20, 30]
    ap.set_port_status(5, up=True)
    assert [m.member_id for m in g.selection] == [10, 20, 30]


def test_table_entries_reference_members_and_groups() -> None:
    ap = selector()
    ap.insert_group(7, [(10, 1, None), (20, 1, None)])
    t: Table[Member[str] | Group[str]] = Table(
        "ingress.t", [KeySpec("k", MatchKind.EXACT, 8)], 16, ap.member_for_entry(30)
    )
    t.insert([1], ap.member_for_entry(10))
    t.insert([2], ap.group_for_entry(7))
    # per-packet resolution
    e1, e2 = t.lookup((1,)), t.lookup((2,))
    assert e1 is not None and e2 is not None
    m1 = e1.action.select(999)
    assert m1 is not None and m1.member_id == 10
    m2 = e2.action.select(1)
    assert m2 is not None and m2.member_id == 20
    # referenced members/groups cannot go
    ap.modify_group(7, [(20, 1, None)])
    assert code(ap.delete_member, 10) is ErrorCode.UNKNOWN
    assert code(ap.delete_group, 7) is ErrorCode.UNKNOWN
    t.delete([1])
    ap.delete_member(10)
    t.modify([2], ap.member_for_entry(20))
    ap.delete_group(7)


def test_entry_references_are_validated() -> None:
    ap = selector()
    assert code(ap.member_for_entry, 99) is ErrorCode.INVALID_ARGUMENT
    assert code(ap.group_for_entry, 99) is ErrorCode.INVALID_ARGUMENT
    ap.insert_group(1, [])
    assert code(ap.group_for_entry, 1) is ErrorCode.UNKNOWN  # BMv2 refuses empty groups


def test_clear() -> None:
    ap = selector()
    ap.insert_group(1, [(10, 1, None)])
    ap.clear()
    assert not ap.members and not ap.groups
    assert ap.insert_member(5, "a").handle == 0
