"""Action profiles and action selectors at run time (P4Runtime members and groups).

A table implemented by a profile stores, as each entry's action, the :class:`Member` or
:class:`Group` object itself (get it with :meth:`ActionProfile.member_for_entry` or
:meth:`ActionProfile.group_for_entry`). Members and groups are changed in place, so entries see
modifications at once, and the table counts references so that a member or group in use cannot be
deleted.

Per packet::

    target = entry.action            # Member or Group
    member = target.select(h) if target.is_group else target   # h = the selector hash
    if member is None: ...           # empty group: BMv2 runs no action at all
    action, args = member.action, member.args

Selection follows BMv2: member number ``hash % group size``, over the group's members sorted by
member handle (lowest free number at creation, as BMv2 allocates them). A member of weight ``w``
appears ``w`` times in a row; PI realises weights with extra member copies whose handles come
later, so for weights above 1 the exact positions may differ from BMv2's. Members whose watch port
is down are left out of the selection.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Generic, TypeVar

from softswitch.engine.entity_errors import EntityError, ErrorCode
from softswitch.engine.tables import HandleAllocator, RefCounted

A = TypeVar("A")

# (member_id, weight, watch_port or None), as in a P4Runtime ActionProfileGroup.Member
GroupMemberSpec = tuple[int, int, int | None]


class Member(RefCounted, Generic[A]):
    """One action-profile member: an action with its arguments."""

    __slots__ = ("action", "args", "group_refs", "handle", "member_id")
    is_group: ClassVar[bool] = False

    def __init__(self, member_id: int, action: A, args: tuple[int, ...], handle: int) -> None:
        super().__init__()
        self.member_id = member_id
        self.action = action
        self.args = args
        self.handle = handle
        self.group_refs = 0  # number of groups that contain this member

    def select(self, hash_value: int) -> Member[A]:
        """A member selects itself (lets callers treat members and groups alike)."""
        return self

    def __repr__(self) -> str:
        return f"Member({self.member_id}, {self.action!r}, {self.args!r})"


@dataclass(slots=True)
class GroupMembership:
    weight: int
    watch_port: int | None


class Group(RefCounted, Generic[A]):
    """One selector group. ``selection`` is precomputed on every change."""

    __slots__ = ("group_id", "max_size", "members", "selection")
    is_group: ClassVar[bool] = True

    def __init__(self, group_id: int, max_size: int) -> None:
        super().__init__()
        self.group_id = group_id
        self.max_size = max_size
        self.members: dict[int, GroupMembership] = {}  # member_id -> membership, in request order
        self.selection: list[Member[A]] = []

    def select(self, hash_value: int) -> Member[A] | None:
        """The member chosen by ``hash_value`` (hash mod group size), or None for an empty group."""
        selection = self.selection
        if not selection:
            return None
        return selection[hash_value % len(selection)]

    def member_specs(self) -> list[GroupMemberSpec]:
        """The membership as written: ``(member_id, weight, watch_port)``."""
        return [(mid, m.weight, m.watch_port) for mid, m in self.members.items()]

    def __repr__(self) -> str:
        return f"Group({self.group_id}, {self.member_specs()!r})"


def _bad(message: str) -> EntityError:
    return EntityError(ErrorCode.INVALID_ARGUMENT, message)


class ActionProfile(Generic[A]):
    """``action_profile(size)`` or ``action_selector(algo, size, width)``.

    ``max_group_size`` is P4Info's static limit on a group's total weight (0 = no limit).
    """

    def __init__(
        self, name: str, size: int = 0, *, with_selector: bool = False, max_group_size: int = 0
    ) -> None:
        self.name = name
        self.size = size
        self.with_selector = with_selector
        self.max_group_size = max_group_size
        self.members: dict[int, Member[A]] = {}
        self.groups: dict[int, Group[A]] = {}
        self._handles = HandleAllocator()
        self._down_ports: set[int] = set()

    # --------------------------------------------------------------------------------- members

    def insert_member(self, member_id: int, action: A, args: Sequence[int] = ()) -> Member[A]:
        if member_id in self.members:
            raise EntityError(ErrorCode.ALREADY_EXISTS, f"{self.name}: duplicate member id {member_id}")
        member: Member[A] = Member(member_id, action, tuple(args), self._handles.acquire())
        self.members[member_id] = member
        return member

    def modify_member(self, member_id: int, action: A, args: Sequence[int] = ()) -> Member[A]:
        member = self.members.get(member_id)
        if member is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"{self.name}: member id {member_id} does not exist")
        member.action = action
        member.args = tuple(args)
        return member

    def delete_member(self, member_id: int) -> None:
        member = self.members.get(member_id)
        if member is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"{self.name}: member id {member_id} does not exist")
        # BMv2 refuses to delete a member still referenced; PI reports that as UNKNOWN.
        if member.group_refs:
            raise EntityError(
                ErrorCode.UNKNOWN,
                f"{self.name}: member id {member_id} is still in {member.group_refs} group(s)",
            )
        if member.refs:
            raise EntityError(
                ErrorCode.UNKNOWN,
                f"{self.name}: member id {member_id} is still used by {member.refs} table entries",
            )
        del self.members[member_id]
        self._handles.release(member.handle)

    # ---------------------------------------------------------------------------------- groups

    def _check_max_size(self, max_size: int) -> None:
        if max_size < 0:
            raise _bad(f"{self.name}: group max_size cannot be less than 0")
        if self.max_group_size > 0 and max_size > self.max_group_size:
            raise _bad(
                f"{self.name}: group max_size {max_size} exceeds the static max_group_size {self.max_group_size}"
            )

    def _validate_members(
        self, specs: Sequence[GroupMemberSpec], max_size: int
    ) -> dict[int, GroupMembership]:
        total = 0
        for _mid, weight, _watch in specs:
            if weight <= 0:
                raise _bad(f"{self.name}: member weight must be a positive integer")
            total += weight
        limit = max_size or self.max_group_size
        if limit > 0 and total > limit:
            raise EntityError(
                ErrorCode.RESOURCE_EXHAUSTED,
                f"{self.name}: sum of member weights {total} exceeds group size {limit}",
            )
        membership: dict[int, GroupMembership] = {}
        for mid, weight, watch in specs:
            if mid not in self.members:
                raise EntityError(ErrorCode.NOT_FOUND, f"{self.name}: member id {mid} does not exist")
            if mid in membership:
                raise _bad(f"{self.name}: member id {mid} listed twice in a group; use weights instead")
            membership[mid] = GroupMembership(weight, watch)
        return membership

    def _set_membership(self, group: Group[A], membership: dict[int, GroupMembership]) -> None:
        for mid in group.members:
            self.members[mid].group_refs -= 1
        for mid in membership:
            self.members[mid].group_refs += 1
        group.members = membership
        self._rebuild(group)

    def _rebuild(self, group: Group[A]) -> None:
        selection: list[Member[A]] = []
        ordered = sorted(group.members.items(), key=lambda item: self.members[item[0]].handle)
        for mid, info in ordered:
            if info.watch_port is not None and info.watch_port in self._down_ports:
                continue
            selection.extend([self.members[mid]] * info.weight)
        group.selection = selection

    def insert_group(
        self, group_id: int, members: Sequence[GroupMemberSpec] = (), *, max_size: int = 0
    ) -> Group[A]:
        if not self.with_selector:
            raise _bad(f"{self.name} is an action profile without a selector: it has no groups")
        self._check_max_size(max_size)
        if group_id in self.groups:
            raise EntityError(ErrorCode.ALREADY_EXISTS, f"{self.name}: duplicate group id {group_id}")
        membership = self._validate_members(members, max_size)
        group: Group[A] = Group(group_id, max_size)
        self._set_membership(group, membership)
        self.groups[group_id] = group
        return group

    def modify_group(
        self, group_id: int, members: Sequence[GroupMemberSpec] = (), *, max_size: int = 0
    ) -> Group[A]:
        group = self.groups.get(group_id)
        if group is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"{self.name}: group id {group_id} does not exist")
        if max_size != 0 and max_size != group.max_size:
            raise _bad(f"{self.name}: a group's max_size cannot change after creation")
        membership = self._validate_members(members, group.max_size)
        self._set_membership(group, membership)
        return group

    def delete_group(self, group_id: int) -> None:
        group = self.groups.get(group_id)
        if group is None:
            raise EntityError(ErrorCode.NOT_FOUND, f"{self.name}: group id {group_id} does not exist")
        if group.refs:
            raise EntityError(
                ErrorCode.UNKNOWN,
                f"{self.name}: group id {group_id} is still used by {group.refs} table entries",
            )
        self._set_membership(group, {})
        del self.groups[group_id]

    # ------------------------------------------------------------------------- table entries

    def member_for_entry(self, member_id: int) -> Member[A]:
        """The member a table entry should reference; INVALID_ARGUMENT if unknown (as PI)."""
        member = self.members.get(member_id)
        if member is None:
            raise _bad(f"{self.name}: invalid member id {member_id}")
        return member

    def group_for_entry(self, group_id: int) -> Group[A]:
        """The group a table entry should reference; INVALID_ARGUMENT if unknown, UNKNOWN if
        empty (BMv2 refuses entries pointing at an empty group)."""
        if not self.with_selector:
            raise _bad(f"{self.name} has no selector: table entries cannot reference groups")
        group = self.groups.get(group_id)
        if group is None:
            raise _bad(f"{self.name}: invalid group id {group_id}")
        if not group.members:
            raise EntityError(ErrorCode.UNKNOWN, f"{self.name}: group id {group_id} is empty")
        return group

    # ---------------------------------------------------------------------------- watch ports

    def set_port_status(self, port: int, up: bool) -> None:
        """Mark a port up or down; members watching a down port drop out of group selection."""
        if up:
            self._down_ports.discard(port)
        else:
            self._down_ports.add(port)
        for group in self.groups.values():
            if any(info.watch_port == port for info in group.members.values()):
                self._rebuild(group)

    def clear(self) -> None:
        """Forget every member and group (tables referencing them must be cleared first)."""
        self.members.clear()
        self.groups.clear()
        self._handles.reset()
