"""/v1/imports: bulk import of devices (CSV or JSON) as background jobs with progress.

``POST /v1/imports`` takes the file as the request body (``Content-Type: text/csv`` or
``application/json``, or ``?format=``) and answers 202 with the job; ``GET /v1/imports/{id}``
reports ``done``/``total``, the rows stored and failed, and the errors by row and field.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Request, Response, status
from starlette.concurrency import run_in_threadpool

from controlplane.api.context import ApiContext
from controlplane.api.schemas import ErrorOut, ImportJobList, ImportJobOut
from controlplane.registry.errors import FieldError, ValidationFailed
from controlplane.registry.imports import ImportFormat, ImportTooLarge, parse_devices

MAX_IMPORT_BYTES = 256 * 1024 * 1024


def _format_of(request: Request, given: str | None) -> ImportFormat:
    if given is not None:
        return ImportFormat(given)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in ("text/csv", "application/csv"):
        return ImportFormat.CSV
    if content_type == "application/json" or content_type.endswith("+json"):
        return ImportFormat.JSON
    raise ValidationFailed(
        [
            FieldError(
                ("format",),
                f"cannot tell the format from Content-Type {content_type or '(none)'!r}: "
                "send text/csv or application/json, or add ?format=csv|json",
                where="query",
            )
        ]
    )


def build_router(ctx: ApiContext) -> APIRouter:
    router = APIRouter(prefix="/v1/imports", tags=["bulk import"])
    read = [Depends(ctx.auth.reader)]
    write = [Depends(ctx.auth.operator)]

    @router.post(
        "",
        dependencies=write,
        status_code=status.HTTP_202_ACCEPTED,
        summary="Start importing devices from a CSV or JSON body",
        responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
        openapi_extra={
            "requestBody": {
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/json": {"schema": {"type": "array", "items": {"type": "object"}}},
                },
                "required": True,
            }
        },
    )
    async def start_import(
        request: Request,
        response: Response,
        format: Annotated[
            Literal["csv", "json"] | None, Query(description="default: from Content-Type")
        ] = None,
        on_error: Annotated[
            Literal["skip", "stop"], Query(description="skip bad rows, or stop at the first one")
        ] = "skip",
    ) -> ImportJobOut:
        fmt = _format_of(request, format)
        length = request.headers.get("content-length")
        if length is not None and length.isdigit() and int(length) > MAX_IMPORT_BYTES:
            raise ImportTooLarge(f"the file is larger than {MAX_IMPORT_BYTES} bytes")
        data = await request.body()
        if len(data) > MAX_IMPORT_BYTES:
            raise ImportTooLarge(f"the file is larger than {MAX_IMPORT_BYTES} bytes")
        rows = await run_in_threadpool(parse_devices, data, fmt)
        progress = ctx.imports.submit(rows, fmt, stop_on_error=on_error == "stop")
        response.headers["Location"] = f"/v1/imports/{progress.id}"
        return ImportJobOut.of(progress)

    @router.get("", dependencies=read, summary="Recent import jobs")
    def list_imports() -> ImportJobList:
        return ImportJobList(items=[ImportJobOut.of(p) for p in ctx.imports.list()])

    @router.get("/{job_id}", dependencies=read, summary="An import job's progress and row errors")
    def get_import(job_id: str) -> ImportJobOut:
        return ImportJobOut.of(ctx.imports.get(job_id))

    return router
