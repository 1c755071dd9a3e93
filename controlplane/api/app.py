"""The REST API's application factory.

``create_app(config)`` opens the registry named in the config and returns a FastAPI app serving
``/v1/...`` (OpenAPI at ``/docs``). The switches' side plugs in through ``dataplane_factory``:
an async context manager, entered when the app starts and left when it stops, that yields the
``DataPlane`` the API uses for switch status, counters and group instructions. The default,
``disconnected_dataplane``, reports the configured switches as not connected.

Errors are JSON in FastAPI's shape, naming the field at fault:
``{"detail": [{"loc": ["body", "endpoint"], "msg": "...", "type": "invalid"}]}`` with 422 for an
invalid value, 404 for a missing record and 409 for a conflict; 503 when no switch is connected.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from controlplane.api import (
    routes_customers,
    routes_devices,
    routes_groups,
    routes_import,
    routes_requests,
    routes_switches,
)
from controlplane.api.auth import TokenAuth
from controlplane.api.context import ApiContext
from controlplane.api.schemas import SummaryOut
from controlplane.config import Config
from controlplane.registry.dataplane import (
    DataPlane,
    DataPlaneUnavailable,
    DisconnectedDataPlane,
    SwitchStatus,
)
from controlplane.registry.errors import ErrorKind, StoreError, ValidationFailed
from controlplane.registry.imports import CHUNK_ROWS, ImportFileError, ImportManager, ImportTooLarge
from controlplane.registry.service import Registry
from controlplane.registry.store_sqlite import SqliteRegistryStore

log = logging.getLogger(__name__)

DataPlaneFactory = Callable[[Config, Registry], AbstractAsyncContextManager[DataPlane]]

_STATUS = {ErrorKind.INVALID: 422, ErrorKind.NOT_FOUND: 404, ErrorKind.CONFLICT: 409}
_WHERE = {"body": "body", "key": "path", "query": "query"}


def open_registry(config: Config) -> Registry:
    """The registry on the config's SQLite file (``StoreError`` if it cannot be used)."""
    return Registry(SqliteRegistryStore(config.database), config.rate_profiles)


def configured_switches(config: Config) -> list[SwitchStatus]:
    return [SwitchStatus(name=s.name, grpc_addr=s.grpc_addr, device_id=s.device_id) for s in config.switches]


@asynccontextmanager
async def disconnected_dataplane(config: Config, registry: Registry) -> AsyncIterator[DataPlane]:
    """The stand-in until the edge layer is wired: configured switches, none connected."""
    yield DisconnectedDataPlane(configured_switches(config))


def create_app(
    config: Config,
    *,
    registry: Registry | None = None,
    dataplane_factory: DataPlaneFactory = disconnected_dataplane,
    chunk_rows: int = CHUNK_ROWS,
) -> FastAPI:
    """The REST API app. It closes the registry on shutdown if it opened it."""
    own_registry = registry is None
    reg = open_registry(config) if registry is None else registry
    ctx = ApiContext(
        config=config,
        registry=reg,
        imports=ImportManager(reg, chunk_rows=chunk_rows),
        auth=TokenAuth(config.tokens),
        dataplane=DisconnectedDataPlane(configured_switches(config)),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            async with dataplane_factory(config, reg) as dataplane:
                ctx.dataplane = dataplane
                yield
        finally:
            ctx.dataplane = DisconnectedDataPlane(configured_switches(config))
            await run_in_threadpool(ctx.imports.close)
            if own_registry:
                reg.close()

    app = FastAPI(
        title="p4edge controller",
        version="1",
        description="Registry of customers, IoT devices and groups for one regional cluster of P4 edge switches.",
        lifespan=lifespan,
    )
    app.state.context = ctx
    _install_error_handlers(app)

    for module in (
        routes_customers,
        routes_devices,
        routes_groups,
        routes_requests,
        routes_import,
        routes_switches,
    ):
        app.include_router(module.build_router(ctx))

    @app.get("/healthz", tags=["service"], summary="Liveness (no token needed)")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/v1/summary", tags=["service"], dependencies=[Depends(ctx.auth.reader)], summary="Record counts"
    )
    def summary() -> SummaryOut:
        counts = reg.counts()
        return SummaryOut(
            customers=counts["customers"],
            devices=counts["devices"],
            groups=counts["groups"],
            pending_requests=counts["pending_requests"],
            change_seq=reg.seq,
        )

    return app


def _install_error_handlers(app: FastAPI) -> None:
    async def validation_failed(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, ValidationFailed)
        detail = [
            {"loc": [_WHERE[e.where], *e.loc], "msg": e.message, "type": str(e.kind)} for e in exc.errors
        ]
        return JSONResponse({"detail": detail}, status_code=_STATUS[exc.kind])

    async def import_file_error(request: Request, exc: Exception) -> JSONResponse:
        status = 413 if isinstance(exc, ImportTooLarge) else 422
        return JSONResponse(
            {"detail": [{"loc": ["body"], "msg": str(exc), "type": "invalid"}]}, status_code=status
        )

    async def unavailable(request: Request, exc: Exception) -> JSONResponse:
        return JSONResponse({"detail": str(exc) or "no edge switch connected"}, status_code=503)

    async def store_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("%s %s: registry storage failed: %s", request.method, request.url.path, exc)
        return JSONResponse({"detail": f"registry storage failed: {exc}"}, status_code=500)

    app.add_exception_handler(ValidationFailed, validation_failed)
    app.add_exception_handler(ImportFileError, import_file_error)
    app.add_exception_handler(DataPlaneUnavailable, unavailable)
    app.add_exception_handler(StoreError, store_error)
