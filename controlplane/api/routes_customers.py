"""/v1/customers: customer VPCs and their VLAN connections."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response, status

from controlplane.api.context import ApiContext
from controlplane.api.schemas import CustomerIn, CustomerList, CustomerOut, CustomerPatchIn, ErrorOut

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorOut},
    409: {"model": ErrorOut},
    422: {"model": ErrorOut},
}


def build_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/customers", tags=["customers"], responses=ERRORS)
    read = [Depends(ctx.auth.reader)]
    write = [Depends(ctx.auth.operator)]
    registry = ctx.registry

    @router.get("", dependencies=read, summary="List customers")
    def list_customers() -> CustomerList:
        items = [CustomerOut.of(c) for c in registry.list_customers()]
        return CustomerList(items=items, total=len(items))

    @router.post("", dependencies=write, status_code=status.HTTP_201_CREATED, summary="Register a customer")
    def add_customer(body: CustomerIn, response: Response) -> CustomerOut:
        customer = registry.add_customer(body.spec())
        response.headers["Location"] = f"/v1/customers/{customer.name}"
        return CustomerOut.of(customer)

    @router.get("/{name}", dependencies=read, summary="Show a customer")
    def get_customer(name: str) -> CustomerOut:
        return CustomerOut.of(registry.get_customer(name))

    @router.patch("/{name}", dependencies=write, summary="Change a customer")
    def update_customer(name: str, body: CustomerPatchIn) -> CustomerOut:
        return CustomerOut.of(registry.update_customer(name, body.patch()))

    @router.delete(
        "/{name}", dependencies=write, status_code=status.HTTP_204_NO_CONTENT, summary="Remove a customer"
    )
    def remove_customer(name: str) -> Response:
        registry.remove_customer(name)
        return Response(status_code=status.HTTP_204_NO_CONTENT)

    return router
