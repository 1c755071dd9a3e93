"""ActionProfileMember / ActionProfileGroup ↔ engine action profiles, and indirect table actions.

A profile is programmed either by members and groups (the "manual" method) or by one-shot
``action_profile_action_set`` in table entries, never both at once (as PI): the first use picks
the method, and it can change again once the profile is empty. One-shot sets become hidden groups
whose members use ids above the 32-bit range, so they never collide with client ids and are left
out of reads.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from finsy.proto import p4r

from softswitch.engine.action_profiles import ActionProfile, Group, GroupMemberSpec, Member
from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.p4runtime.action_codec import ActionCodec, bad
from softswitch.p4runtime.p4info_index import ActionProfileInfo
from softswitch.p4runtime.wire import length_delimited, varint

__all__ = ["ProfileCodec", "decode_port"]

_HIDDEN_BASE = 1 << 32
MANUAL = "manual"
ONESHOT = "one-shot"


def decode_port(data: bytes) -> int:
    """A P4Runtime port bytestring (1..4 bytes, big-endian) as an int."""
    if not data:
        raise bad("a port must not be the empty bytestring")
    if len(data) > 4:
        raise EntityError(ErrorCode.UNIMPLEMENTED, f"ports of {len(data)} bytes are not supported (4 at most)")
    return int.from_bytes(data, "big")


def _watch(item: p4r.ActionProfileGroup.Member | p4r.ActionProfileAction) -> int | None:
    which = item.WhichOneof("watch_kind")
    if which == "watch_port":
        return decode_port(item.watch_port)
    if which == "watch":
        return item.watch
    return None


class ProfileCodec:
    """One action profile (or selector): its P4Runtime members and groups."""

    def __init__(self, info: ActionProfileInfo, profile: ActionProfile[Any], actions: dict[int, ActionCodec]) -> None:
        self.info = info
        self.id = info.id
        self.name = info.name
        self.profile = profile
        self.actions = actions  # the actions of the profile's tables
        self.action_ids = {id(codec.obj): codec for codec in actions.values()}
        self.mode: str | None = None
        self.group_members: dict[int, list[bytes]] = {}  # group id -> serialized members as written
        self.oneshot_sets: dict[int, list[bytes]] = {}  # hidden member/group id -> actions as written
        self._next_hidden = _HIDDEN_BASE
        self.head = b"\x08" + varint(info.id)

    # ------------------------------------------------------------------------------ method

    def _empty(self) -> bool:
        profile = self.profile
        return not profile.members and not profile.groups

    def _use(self, mode: str) -> None:
        if self.mode is not None and self.mode != mode and not self._empty():
            raise bad(f"action profile {self.name!r} is programmed with the {self.mode} method; do not mix methods")
        self.mode = mode

    def _decode_action(self, action: p4r.Action) -> tuple[object, tuple[int, ...]]:
        codec = self.actions.get(action.action_id)
        if codec is None:
            raise bad(f"action id {action.action_id} is not an action of action profile {self.name!r}")
        args, _ = codec.decode(action)
        return codec.obj, args

    # ----------------------------------------------------------------------------- members

    def write_member(self, update_type: int, member: p4r.ActionProfileMember) -> None:
        self._use(MANUAL)
        mid = member.member_id
        if update_type == p4r.Update.INSERT:
            obj, args = self._decode_action(member.action)
            self.profile.insert_member(mid, obj, args)
        elif update_type == p4r.Update.MODIFY:
            obj, args = self._decode_action(member.action)
            self.profile.modify_member(mid, obj, args)
        elif update_type == p4r.Update.DELETE:
            self.profile.delete_member(mid)
        else:
            raise bad("update type is not set" if update_type == 0 else f"invalid update type {update_type}")

    def encode_member(self, member: Member[Any]) -> bytes:
        codec = self.action_ids.get(id(member.action))
        action = b"" if codec is None else length_delimited(b"\x1a", codec.encode(member.args))
        return self.head + b"\x10" + varint(member.member_id) + action

    def read_members(self, request: p4r.ActionProfileMember) -> list[bytes]:
        members = self.profile.members
        if request.member_id:
            found = members.get(request.member_id)
            chosen: Iterable[Member[Any]] = [] if found is None else [found]
        else:
            chosen = list(members.values())
        return [self.encode_member(m) for m in chosen if m.member_id < _HIDDEN_BASE]

    # ------------------------------------------------------------------------------ groups

    def write_group(self, update_type: int, group: p4r.ActionProfileGroup) -> None:
        self._use(MANUAL)
        gid = group.group_id
        if update_type == p4r.Update.DELETE:
            self.profile.delete_group(gid)
            self.group_members.pop(gid, None)
            return
        if update_type not in (p4r.Update.INSERT, p4r.Update.MODIFY):
            raise bad("update type is not set" if update_type == 0 else f"invalid update type {update_type}")
        specs: list[GroupMemberSpec] = []
        for item in group.members:
            specs.append((item.member_id, item.weight, _watch(item)))
        if group.max_size < 0:
            raise bad("group max_size cannot be less than 0")
        if update_type == p4r.Update.INSERT:
            self.profile.insert_group(gid, specs, max_size=group.max_size)
        else:
            self.profile.modify_group(gid, specs, max_size=group.max_size)
        self.group_members[gid] = [item.SerializeToString() for item in group.members]

    def encode_group(self, group: Group[Any]) -> bytes:
        out = [self.head, b"\x10" + varint(group.group_id)]
        written = self.group_members.get(group.group_id)
        if written is None:
            written = [
                p4r.ActionProfileGroup.Member(member_id=mid, weight=weight).SerializeToString()
                for mid, weight, _watch_port in group.member_specs()
            ]
        out.extend(length_delimited(b"\x1a", m) for m in written)
        if group.max_size:
            out.append(b"\x20" + varint(group.max_size))
        return b"".join(out)

    def read_groups(self, request: p4r.ActionProfileGroup) -> list[bytes]:
        groups = self.profile.groups
        if request.group_id:
            found = groups.get(request.group_id)
            chosen: Iterable[Group[Any]] = [] if found is None else [found]
        else:
            chosen = list(groups.values())
        return [self.encode_group(g) for g in chosen if g.group_id < _HIDDEN_BASE]

    # ------------------------------------------------------------------- table entries

    def resolve(self, table_action: p4r.TableAction) -> object:
        """The member or group a table entry's action designates (one-shot sets are created)."""
        which = table_action.WhichOneof("type")
        if which == "action_profile_member_id":
            self._use(MANUAL)
            return self.profile.member_for_entry(table_action.action_profile_member_id)
        if which == "action_profile_group_id":
            self._use(MANUAL)
            return self.profile.group_for_entry(table_action.action_profile_group_id)
        if which == "action_profile_action_set":
            self._use(ONESHOT)
            return self._oneshot(table_action.action_profile_action_set)
        raise bad("invalid table action type")

    def _oneshot(self, action_set: p4r.ActionProfileActionSet) -> Member[Any] | Group[Any]:
        items = action_set.action_profile_actions
        if not items:
            raise bad("an action_profile_action_set needs at least one action")
        profile = self.profile
        if not profile.with_selector and len(items) != 1:
            raise bad(f"action profile {self.name!r} has no selector: a one-shot set holds exactly one action")
        decoded = []
        for item in items:
            obj, args = self._decode_action(item.action)
            if item.weight <= 0:
                raise bad("member weight must be a positive integer")
            decoded.append((obj, args, item.weight, _watch(item)))
        written = [item.SerializeToString() for item in items]
        if not profile.with_selector:
            obj, args, _weight, _watch_port = decoded[0]
            member = profile.insert_member(self._hidden_id(), obj, args)
            self.oneshot_sets[member.member_id] = written
            return member
        created: list[int] = []
        try:
            specs: list[GroupMemberSpec] = []
            for obj, args, weight, watch in decoded:
                mid = self._hidden_id()
                profile.insert_member(mid, obj, args)
                created.append(mid)
                specs.append((mid, weight, watch))
            group = profile.insert_group(self._hidden_id(), specs)
        except BaseException:
            for mid in created:
                profile.delete_member(mid)
            raise
        self.oneshot_sets[group.group_id] = written
        return group

    def _hidden_id(self) -> int:
        self._next_hidden += 1
        return self._next_hidden

    def release(self, target: object) -> None:
        """Free a one-shot member or group once no entry uses it any more."""
        profile = self.profile
        if isinstance(target, Member):
            if target.member_id >= _HIDDEN_BASE and not target.refs and not target.group_refs:
                profile.delete_member(target.member_id)
                self.oneshot_sets.pop(target.member_id, None)
            return
        if not isinstance(target, Group) or target.group_id < _HIDDEN_BASE or target.refs:
            return
        member_ids = list(target.members)
        profile.delete_group(target.group_id)
        self.oneshot_sets.pop(target.group_id, None)
        for mid in member_ids:
            if mid in profile.members:
                profile.delete_member(mid)

    def encode_indirect(self, target: object) -> bytes:
        """Serialized ``TableAction`` for an entry's member, group or one-shot set."""
        if isinstance(target, Member):
            if target.member_id < _HIDDEN_BASE:
                return b"\x10" + varint(target.member_id)
            items = self.oneshot_sets.get(target.member_id, [])
        else:
            assert isinstance(target, Group)
            if target.group_id < _HIDDEN_BASE:
                return b"\x18" + varint(target.group_id)
            items = self.oneshot_sets.get(target.group_id, [])
        action_set = b"".join(length_delimited(b"\x0a", item) for item in items)
        return length_delimited(b"\x22", action_set)
