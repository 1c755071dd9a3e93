"""/v1/switches: the edge switches of this cluster, as the data-plane layer reports them."""

from __future__ import annotations

from fastapi import APIRouter, Depends

from controlplane.api.context import ApiContext
from controlplane.api.schemas import SwitchList, SwitchStatusOut


def build_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/switches", tags=["switches"])

    @router.get("", dependencies=[Depends(ctx.auth.reader)], summary="Switch status")
    async def switch_status() -> SwitchList:
        return SwitchList(items=[SwitchStatusOut.of(s) for s in await ctx.dataplane.switch_status()])

    return router
