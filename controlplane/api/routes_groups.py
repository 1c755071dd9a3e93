"""/v1/groups: multicast groups of devices, and group instructions."""

from __future__ import annotations

import base64
import binascii
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from controlplane.api.context import ApiContext
from controlplane.api.schemas import (
    ErrorOut,
    GroupIn,
    GroupList,
    GroupOut,
    GroupPatchIn,
    InstructionIn,
    InstructionReceiptOut,
    MembersIn,
)
from controlplane.registry.errors import FieldError, ValidationFailed
from controlplane.registry.service import MAX_PAGE

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}
MAX_INSTRUCTION_BYTES = 1200  # one copy must fit an IPv6 packet on a 1280-byte link


def decode_payload(body: InstructionIn) -> bytes:
    try:
        if body.encoding == "hex":
            data = bytes.fromhex(body.payload)
        elif body.encoding == "base64":
            data = base64.b64decode(body.payload, validate=True)
        else:
            data = body.payload.encode("utf-8")
    except (ValueError, binascii.Error) as e:
        raise ValidationFailed([FieldError(("payload",), f"not valid {body.encoding}: {e}")]) from e
    if not data:
        raise ValidationFailed([FieldError(("payload",), "the instruction is empty")])
    if len(data) > MAX_INSTRUCTION_BYTES:
        raise ValidationFailed(
            [
                FieldError(
                    ("payload",), f"{len(data)} bytes; an instruction holds at most {MAX_INSTRUCTION_BYTES}"
                )
            ]
        )
    return data


def build_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/groups", tags=["groups"], responses=ERRORS)
    read = [Depends(ctx.auth.reader)]
    write = [Depends(ctx.auth.operator)]
    registry = ctx.registry

    @router.get("", dependencies=read, summary="List groups (without their members)")
    def list_groups(
        customer: Annotated[str | None, Query(description="only this customer's groups")] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    ) -> GroupList:
        page = registry.list_groups(customer=customer, offset=offset, limit=limit)
        items = [GroupOut.of(g, members=False) for g in page.items]
        return GroupList(items=items, total=page.total, offset=page.offset, limit=page.limit)

    @router.post("", dependencies=write, status_code=status.HTTP_201_CREATED, summary="Create a group")
    def add_group(body: GroupIn, response: Response) -> GroupOut:
        group = registry.add_group(body.spec())
        response.headers["Location"] = f"/v1/groups/{group.name}"
        return GroupOut.of(group, members=True)

    @router.get("/{name}", dependencies=read, summary="Show a group and its members")
    def get_group(name: str) -> GroupOut:
        return GroupOut.of(registry.get_group(name), members=True)

    @router.patch("/{name}", dependencies=write, summary="Change a group's address or replace its members")
    def update_group(name: str, body: GroupPatchIn) -> GroupOut:
        return GroupOut.of(registry.update_group(name, body.patch()), members=True)

    @router.delete(
        "/{name}", dependencies=write, status_code=status.HTTP_204_NO_CONTENT, summary="Remove a group"
    )
    def remove_group(name: str) -> Response:
        registry.remove_group(name)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.post("/{name}/members", dependencies=write, summary="Add members to a group")
    def add_members(name: str, body: MembersIn) -> GroupOut:
        return GroupOut.of(registry.add_members(name, body.members), members=True)

    @router.delete("/{name}/members/{device_id}", dependencies=write, summary="Take a member out of a group")
    def remove_member(name: str, device_id: str) -> GroupOut:
        return GroupOut.of(registry.remove_member(name, device_id), members=True)

    @router.post(
        "/{name}/instructions",
        dependencies=write,
        status_code=status.HTTP_202_ACCEPTED,
        summary="Send an instruction to every member (multicast)",
        responses={503: {"model": ErrorOut, "description": "no edge switch connected"}},
    )
    async def send_instruction(name: str, body: InstructionIn) -> InstructionReceiptOut:
        group = registry.get_group(name)
        payload = decode_payload(body)
        receipt = await ctx.dataplane.send_group_instruction(group, payload)
        return InstructionReceiptOut.of(receipt)

    return router
