"""/v1/requests: access requests from unknown senders; approve (register) or deny."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, status

from controlplane.api.context import ApiContext
from controlplane.api.schemas import (
    AccessRequestList,
    AccessRequestOut,
    ApprovedOut,
    ApproveIn,
    DeviceOut,
    ErrorOut,
)
from controlplane.registry.model import AccessRequestStatus

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


def build_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/requests", tags=["access requests"], responses=ERRORS)
    read = [Depends(ctx.auth.reader)]
    write = [Depends(ctx.auth.operator)]
    registry = ctx.registry

    @router.get("", dependencies=read, summary="List access requests (pending ones by default)")
    def list_requests(
        status_: Annotated[
            Literal["pending", "approved", "denied", "all"],
            Query(alias="status", description="which to list"),
        ] = "pending",
    ) -> AccessRequestList:
        wanted = None if status_ == "all" else AccessRequestStatus(status_)
        items = [AccessRequestOut.of(r) for r in registry.list_access_requests(wanted)]
        return AccessRequestList(items=items, total=len(items))

    @router.get("/{request_id}", dependencies=read, summary="Show an access request")
    def get_request(request_id: int) -> AccessRequestOut:
        return AccessRequestOut.of(registry.get_access_request(request_id))

    @router.post(
        "/{request_id}/approve",
        dependencies=write,
        status_code=status.HTTP_201_CREATED,
        summary="Approve: register the sender as a device",
    )
    def approve(request_id: int, body: ApproveIn) -> ApprovedOut:
        request, device = registry.approve_access_request(request_id, body.approval())
        return ApprovedOut(
            request=AccessRequestOut.of(request),
            device=DeviceOut.of(device, registry.device_groups(device.device_id)),
        )

    @router.post("/{request_id}/deny", dependencies=write, summary="Deny: record it and stop listing it")
    def deny(request_id: int) -> AccessRequestOut:
        return AccessRequestOut.of(registry.deny_access_request(request_id))

    return router
