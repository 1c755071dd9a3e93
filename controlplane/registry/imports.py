"""Bulk import of devices from CSV or JSON, run as background jobs with progress.

The rule for errors and crashes:

- A file is checked for structure first (valid JSON or CSV, known columns, at most
  ``MAX_ROWS`` rows); a structural problem rejects the whole file before anything is stored.
- Rows are then processed in chunks of ``chunk_rows``. Each chunk's valid rows are stored in
  one transaction. An invalid row is reported (row number, CSV line, field, message) and skipped;
  the rows around it are stored.
- With ``stop_on_error`` the first invalid row ends the job: every row before it is stored, no
  row after it is.
- If storing a chunk fails, that whole chunk rolls back and each of its rows is reported; chunks
  stored before stay stored. A crash loses at most the chunk in flight, never part of a device.

Rows are numbered from 1 in file order (the CSV header is not a row); CSV errors also give the
line number.
"""

from __future__ import annotations

import csv
import enum
import io
import json
import logging
import queue
import re
import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final

from controlplane.registry.errors import FieldError, not_found
from controlplane.registry.model import DEFAULT_RATE_PROFILE, DeviceSpec
from controlplane.registry.service import Registry

log = logging.getLogger(__name__)

MAX_ROWS: Final = 100_000
CHUNK_ROWS: Final = 2_000
MAX_REPORTED_ERRORS: Final = 1_000

REQUIRED_COLUMNS: Final = ("device_id", "customer", "endpoint", "addresses", "access_port")
OPTIONAL_COLUMNS: Final = ("endpoint_v4", "access_vlan", "rate_profile", "groups")
COLUMNS: Final = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
_LIST_SPLIT = re.compile(r"[;\s]+")


class ImportFormat(enum.StrEnum):
    CSV = "csv"
    JSON = "json"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (not JSON/CSV, unknown columns, too many rows)."""


class ImportTooLarge(ImportFileError):
    """The file is larger than the API accepts."""


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # every row processed (some may have failed)
    STOPPED = "stopped"  # stop_on_error: ended at the first invalid row
    FAILED = "failed"  # ended by an unexpected error
    CANCELLED = "cancelled"  # the controller shut down first


@dataclass(frozen=True, slots=True)
class ParsedRow:
    row: int
    line: int | None
    spec: DeviceSpec | None
    errors: tuple[FieldError, ...] = ()


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    line: int | None
    field: str | None  # e.g. "endpoint", "addresses[1]"; None for the row as a whole
    message: str
    kind: str  # invalid | not_found | conflict


@dataclass(frozen=True, slots=True, kw_only=True)
class ImportProgress:
    """A job's state at one moment."""

    id: str
    status: JobStatus
    format: ImportFormat
    stop_on_error: bool
    total: int
    done: int  # rows processed (stored or failed)
    stored: int
    failed: int
    errors: tuple[RowProblem, ...]  # the first MAX_REPORTED_ERRORS
    created_at: float
    started_at: float | None
    finished_at: float | None
    message: str | None

    @property
    def finished(self) -> bool:
        return self.status not in (JobStatus.QUEUED, JobStatus.RUNNING)


# ---- parsing ----------------------------------------------------------------------------------


def parse_devices(data: bytes, fmt: ImportFormat, *, max_rows: int = MAX_ROWS) -> list[ParsedRow]:
    """The rows of an import file; raises ``ImportFileError`` for a problem with the whole file."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ImportFileError(f"the file is not UTF-8 text (byte {e.start})") from e
    rows = _parse_csv(text, max_rows) if fmt is ImportFormat.CSV else _parse_json(text, max_rows)
    if not rows:
        raise ImportFileError("the file holds no devices")
    return rows


def _too_many(max_rows: int) -> ImportFileError:
    return ImportFileError(f"at most {max_rows} devices per import; split the file")


def _split_list(value: str) -> list[str]:
    if ";" not in value and " " not in value and "\t" not in value:
        return [value] if value else []
    return [item for item in _LIST_SPLIT.split(value.strip()) if item]


def _parse_csv(text: str, max_rows: int) -> list[ParsedRow]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFileError("the CSV file is empty; it needs a header line naming the columns")
        names = [h.strip() for h in header]
        unknown = [n for n in names if n not in COLUMNS]
        if unknown:
            raise ImportFileError(f"unknown CSV column {unknown[0]!r}; the columns are {', '.join(COLUMNS)}")
        missing = [n for n in REQUIRED_COLUMNS if n not in names]
        if missing:
            raise ImportFileError(f"the CSV header lacks the column {missing[0]!r}")
        if len(set(names)) != len(names):
            raise ImportFileError("the CSV header names a column twice")
        rows: list[ParsedRow] = []
        for cells in reader:
            if not cells or all(not c.strip() for c in cells):
                continue
            if len(rows) >= max_rows:
                raise _too_many(max_rows)
            row = len(rows) + 1
            if len(cells) != len(names):
                error = FieldError((), f"the row has {len(cells)} fields; the header has {len(names)}")
                rows.append(ParsedRow(row, reader.line_num, None, (error,)))
                continue
            rows.append(_csv_row(row, reader.line_num, dict(zip(names, map(str.strip, cells), strict=True))))
    except csv.Error as e:
        raise ImportFileError(f"CSV line {reader.line_num}: {e}") from e
    return rows


def _csv_int(values: Mapping[str, str], name: str, errors: list[FieldError]) -> int | None:
    value = values.get(name, "")
    if value == "":
        return None
    try:
        return int(value, 10)
    except ValueError:
        errors.append(FieldError((name,), f"must be an integer, not {value!r}"))
        return None


def _csv_row(row: int, line: int, values: Mapping[str, str]) -> ParsedRow:
    errors: list[FieldError] = []
    for name in REQUIRED_COLUMNS:
        if not values[name]:
            errors.append(FieldError((name,), "is required"))
    port = _csv_int(values, "access_port", errors)
    vlan = _csv_int(values, "access_vlan", errors)
    if errors or port is None:
        return ParsedRow(row, line, None, tuple(errors))
    spec = DeviceSpec(
        device_id=values["device_id"],
        customer=values["customer"],
        endpoint=values["endpoint"],
        endpoint_v4=values.get("endpoint_v4") or None,
        addresses=_split_list(values["addresses"]),
        access_port=port,
        access_vlan=vlan,
        rate_profile=values.get("rate_profile") or DEFAULT_RATE_PROFILE,
        groups=_split_list(values.get("groups", "")),
    )
    return ParsedRow(row, line, spec)


def _parse_json(text: str, max_rows: int) -> list[ParsedRow]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as e:
        raise ImportFileError(f"not valid JSON: {e.msg} at line {e.lineno} column {e.colno}") from e
    if isinstance(document, dict) and set(document) == {"devices"}:
        document = document["devices"]
    if not isinstance(document, list):
        raise ImportFileError('the JSON document must be a list of devices, or {"devices": [...]}')
    if len(document) > max_rows:
        raise _too_many(max_rows)
    return [_json_row(i + 1, item) for i, item in enumerate(document)]


def _json_row(row: int, item: object) -> ParsedRow:
    if not isinstance(item, dict):
        return ParsedRow(row, None, None, (FieldError((), "each device must be a JSON object"),))
    errors = [FieldError((key,), "unknown field") for key in item if key not in COLUMNS]
    errors += [FieldError((key,), "is required") for key in REQUIRED_COLUMNS if item.get(key) is None]
    for key in ("device_id", "customer", "endpoint", "endpoint_v4", "rate_profile"):
        value = item.get(key)
        if value is not None and not isinstance(value, str):
            errors.append(FieldError((key,), f"must be a string, not {value!r}"))
    for key in ("access_port", "access_vlan"):
        value = item.get(key)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            errors.append(FieldError((key,), f"must be an integer, not {value!r}"))
    lists: dict[str, list[str]] = {}
    for key in ("addresses", "groups"):
        value = item.get(key, [])
        if isinstance(value, str):
            lists[key] = _split_list(value)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            lists[key] = list(value)
        else:
            errors.append(FieldError((key,), "must be a list of strings"))
    if errors:
        return ParsedRow(row, None, None, tuple(errors))
    spec = DeviceSpec(
        device_id=item["device_id"],
        customer=item["customer"],
        endpoint=item["endpoint"],
        endpoint_v4=item.get("endpoint_v4"),
        addresses=lists["addresses"],
        access_port=item["access_port"],
        access_vlan=item.get("access_vlan"),
        rate_profile=item.get("rate_profile") or DEFAULT_RATE_PROFILE,
        groups=lists["groups"],
    )
    return ParsedRow(row, None, spec)


# ---- jobs -------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Job:
    id: str
    format: ImportFormat
    stop_on_error: bool
    rows: list[ParsedRow] | None
    total: int
    created_at: float
    status: JobStatus = JobStatus.QUEUED
    done: int = 0
    stored: int = 0
    failed: int = 0
    errors: list[RowProblem] = field(default_factory=list)
    started_at: float | None = None
    finished_at: float | None = None
    message: str | None = None

    def progress(self) -> ImportProgress:
        return ImportProgress(
            id=self.id,
            status=self.status,
            format=self.format,
            stop_on_error=self.stop_on_error,
            total=self.total,
            done=self.done,
            stored=self.stored,
            failed=self.failed,
            errors=tuple(self.errors),
            created_at=self.created_at,
            started_at=self.started_at,
            finished_at=self.finished_at,
            message=self.message,
        )


class ImportManager:
    """Runs import jobs one after another on a worker thread."""

    def __init__(self, registry: Registry, *, chunk_rows: int = CHUNK_ROWS, keep_jobs: int = 100) -> None:
        self._registry = registry
        self._chunk_rows = max(chunk_rows, 1)
        self._keep_jobs = keep_jobs
        self._lock = threading.Lock()
        self._jobs: dict[str, _Job] = {}
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._closing = threading.Event()
        self._changed = threading.Condition(self._lock)
        self._worker: threading.Thread | None = None

    def submit(
        self, rows: list[ParsedRow], fmt: ImportFormat, *, stop_on_error: bool = False
    ) -> ImportProgress:
        job = _Job(uuid.uuid4().hex[:16], fmt, stop_on_error, rows, len(rows), time.time())
        with self._lock:
            if self._closing.is_set():
                raise RuntimeError("the import service is shutting down")
            self._jobs[job.id] = job
            self._forget_old_jobs()
            if self._worker is None:
                self._worker = threading.Thread(target=self._work, name="device-import", daemon=True)
                self._worker.start()
            self._queue.put(job)
            return job.progress()

    def _forget_old_jobs(self) -> None:
        finished = [j for j in self._jobs.values() if j.status not in (JobStatus.QUEUED, JobStatus.RUNNING)]
        for job in finished[: max(len(self._jobs) - self._keep_jobs, 0)]:
            del self._jobs[job.id]

    def get(self, job_id: str) -> ImportProgress:
        with self._lock:
            job = self._jobs.get(job_id)
            if job is None:
                raise not_found("import job", job_id, ("job_id",), where="key")
            return job.progress()

    def list(self) -> list[ImportProgress]:
        with self._lock:
            return [j.progress() for j in self._jobs.values()]

    def wait(self, job_id: str, timeout: float) -> ImportProgress:
        """The job's progress once it has finished, or when ``timeout`` seconds have passed."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                progress = self._get_locked(job_id)
                left = deadline - time.monotonic()
                if progress.finished or left <= 0:
                    return progress
                self._changed.wait(left)

    def _get_locked(self, job_id: str) -> ImportProgress:
        job = self._jobs.get(job_id)
        if job is None:
            raise not_found("import job", job_id, ("job_id",), where="key")
        return job.progress()

    def close(self, timeout: float = 30.0) -> None:
        """Finish the chunk in flight, cancel the rest, and stop the worker."""
        self._closing.set()
        self._queue.put(None)
        worker = self._worker
        if worker is not None:
            worker.join(timeout)
        with self._lock:
            for job in self._jobs.values():
                if job.status is JobStatus.QUEUED:
                    self._finish(job, JobStatus.CANCELLED, "the controller shut down before the import ran")

    # ---- the worker ---------------------------------------------------------------------

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None or self._closing.is_set():
                return
            try:
                self._run(job)
            except Exception as e:  # a bug, or storage gone: report it on the job, keep serving
                log.exception("import job %s failed", job.id)
                with self._lock:
                    self._finish(job, JobStatus.FAILED, f"the import failed: {e}")

    def _finish(self, job: _Job, status: JobStatus, message: str | None) -> None:
        job.status = status
        job.message = message
        job.finished_at = time.time()
        job.rows = None
        self._changed.notify_all()

    def _report(self, job: _Job, problems: Sequence[RowProblem]) -> None:
        job.failed += len({p.row for p in problems})
        room = MAX_REPORTED_ERRORS - len(job.errors)
        if room > 0:
            job.errors.extend(problems[:room])

    def _run(self, job: _Job) -> None:
        rows = job.rows or []
        lines = {r.row: r.line for r in rows}
        with self._lock:
            job.status = JobStatus.RUNNING
            job.started_at = time.time()
            self._changed.notify_all()
        log.info("import job %s: %d rows (%s)", job.id, job.total, job.format)
        for start in range(0, len(rows), self._chunk_rows):
            if self._closing.is_set():
                with self._lock:
                    self._finish(job, JobStatus.CANCELLED, f"the controller shut down after {job.done} rows")
                return
            chunk = rows[start : start + self._chunk_rows]
            valid: list[tuple[int, DeviceSpec]] = []
            problems: list[RowProblem] = []
            stop_at: int | None = None
            for parsed in chunk:
                if parsed.spec is None:
                    problems.extend(_problems(parsed.row, parsed.line, parsed.errors))
                    if job.stop_on_error:
                        stop_at = parsed.row
                        break
                else:
                    valid.append((parsed.row, parsed.spec))
            result = self._registry.add_devices(valid, stop_on_error=job.stop_on_error, origin="import")
            for failure in result.failed:
                problems.extend(_problems(failure.row, lines.get(failure.row), failure.errors))
            if job.stop_on_error and result.failed:
                stop_at = min(f.row for f in result.failed)
                problems = [p for p in problems if p.row <= stop_at]
            problems.sort(key=lambda p: p.row)
            with self._lock:
                job.stored += len(result.stored)
                self._report(job, problems)
                if stop_at is not None:
                    job.done = stop_at
                    self._finish(
                        job, JobStatus.STOPPED, f"stopped at row {stop_at}; the rows before it are stored"
                    )
                    return
                job.done += len(chunk)
                self._changed.notify_all()
        with self._lock:
            self._finish(job, JobStatus.DONE, None)
        log.info("import job %s: %d stored, %d failed", job.id, job.stored, job.failed)


def _problems(row: int, line: int | None, errors: Sequence[FieldError]) -> list[RowProblem]:
    return [RowProblem(row, line, e.field or None, e.message, str(e.kind)) for e in errors]
