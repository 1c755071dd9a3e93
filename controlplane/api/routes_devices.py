"""/v1/devices: devices, their counters, and /v1/rate-profiles."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from controlplane.api.context import ApiContext
from controlplane.api.schemas import (
    DeviceCountersOut,
    DeviceIn,
    DeviceList,
    DeviceOut,
    DevicePatchIn,
    ErrorOut,
    RateProfileOut,
    SwitchCountersOut,
)
from controlplane.registry.service import MAX_PAGE

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


def build_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(tags=["devices"], responses=ERRORS)
    read = [Depends(ctx.auth.reader)]
    write = [Depends(ctx.auth.operator)]
    registry = ctx.registry

    def out(device_id: str) -> DeviceOut:
        return DeviceOut.of(registry.get_device(device_id), registry.device_groups(device_id))

    @router.get("/v1/devices", dependencies=read, summary="List devices (in device_id order)")
    def list_devices(
        customer: Annotated[str | None, Query(description="only this customer's devices")] = None,
        group: Annotated[str | None, Query(description="only this group's members")] = None,
        offset: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 100,
    ) -> DeviceList:
        page = registry.list_devices(customer=customer, group=group, offset=offset, limit=limit)
        items = [DeviceOut.of(d, registry.device_groups(d.device_id)) for d in page.items]
        return DeviceList(items=items, total=page.total, offset=page.offset, limit=page.limit)

    @router.post(
        "/v1/devices", dependencies=write, status_code=status.HTTP_201_CREATED, summary="Register a device"
    )
    def add_device(body: DeviceIn, response: Response) -> DeviceOut:
        device = registry.add_device(body.spec())
        response.headers["Location"] = f"/v1/devices/{device.device_id}"
        return out(device.device_id)

    @router.get("/v1/devices/{device_id}", dependencies=read, summary="Show a device")
    def get_device(device_id: str) -> DeviceOut:
        return out(device_id)

    @router.patch("/v1/devices/{device_id}", dependencies=write, summary="Change a device")
    def update_device(device_id: str, body: DevicePatchIn) -> DeviceOut:
        registry.update_device(device_id, body.patch())
        return out(device_id)

    @router.delete(
        "/v1/devices/{device_id}",
        dependencies=write,
        status_code=status.HTTP_204_NO_CONTENT,
        summary="Remove a device",
    )
    def remove_device(device_id: str) -> Response:
        registry.remove_device(device_id)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    @router.get(
        "/v1/devices/{device_id}/counters",
        dependencies=read,
        summary="A device's packet and byte counters, per switch",
        responses={503: {"model": ErrorOut, "description": "no edge switch connected"}},
    )
    async def device_counters(device_id: str) -> DeviceCountersOut:
        device = registry.get_device(device_id)
        counters = await ctx.dataplane.device_counters(device)
        return DeviceCountersOut(device_id=device_id, switches=[SwitchCountersOut.of(c) for c in counters])

    @router.get("/v1/rate-profiles", dependencies=read, summary="The configured rate profiles")
    def rate_profiles() -> list[RateProfileOut]:
        return [RateProfileOut.of(p) for _, p in sorted(registry.profiles.items())]

    return router
