"""Bulk import: file parsing, row errors by row/line/field, chunks, stop-on-error and rollback."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from controlplane.registry.imports import (
    ImportFileError,
    ImportFormat,
    ImportManager,
    ImportProgress,
    JobStatus,
    parse_devices,
)
from controlplane.registry.model import GroupSpec
from controlplane.registry.service import Registry
from tests.controlplane.registry.conftest import acme, device

HEADER = "device_id,customer,endpoint,addresses,access_port,access_vlan,groups"


def csv_row(n: int, **bad: str) -> str:
    values = {
        "device_id": f"d{n}",
        "customer": "acme",
        "endpoint": f"2001:db8:100::{n:x}",
        "addresses": f"2001:db8:ff::{n:x};10.0.{n // 256}.{n % 256}",
        "access_port": "3",
        "access_vlan": "",
        "groups": "lights",
    }
    values.update(bad)
    return ",".join(values[c] for c in HEADER.split(","))


def csv_file(rows: list[str]) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


@pytest.fixture
def reg(registry: Registry) -> Registry:
    registry.add_customer(acme())
    registry.add_group(GroupSpec(name="lights", customer="acme", address="ff3e::1"))
    return registry


def run(
    registry: Registry, data: bytes, fmt: ImportFormat, *, stop: bool = False, chunk: int = 10
) -> ImportProgress:
    manager = ImportManager(registry, chunk_rows=chunk)
    try:
        job = manager.submit(parse_devices(data, fmt), fmt, stop_on_error=stop)
        progress = manager.wait(job.id, timeout=120)
        assert progress.finished, progress
        return progress
    finally:
        manager.close()


# ---- parsing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"", ImportFormat.CSV, "empty"),
        (
            b"device_id,customer,endpoint,addresses,access_port,colour\n",
            ImportFormat.CSV,
            "unknown CSV column 'colour'",
        ),
        (b"device_id,customer,endpoint,access_port\n", ImportFormat.CSV, "lacks the column 'addresses'"),
        (HEADER.encode() + b"\n", ImportFormat.CSV, "no devices"),
        (b"\xff\xfe", ImportFormat.CSV, "UTF-8"),
        (b"[{", ImportFormat.JSON, "not valid JSON"),
        (b'{"items": []}', ImportFormat.JSON, "must be a list"),
    ],
)
def test_file_errors(data: bytes, fmt: ImportFormat, message: str) -> None:
    with pytest.raises(ImportFileError, match=message):
        parse_devices(data, fmt)


def test_row_limit() -> None:
    with pytest.raises(ImportFileError, match="at most 3"):
        parse_devices(csv_file([csv_row(n) for n in range(4)]), ImportFormat.CSV, max_rows=3)
    with pytest.raises(ImportFileError, match="at most 3"):
        parse_devices(json.dumps([{}] * 4).encode(), ImportFormat.JSON, max_rows=3)


def test_csv_rows_and_lines() -> None:
    text = "\n".join([HEADER, csv_row(1), "", csv_row(2, access_port="three"), "d3,acme", csv_row(4)]) + "\n"
    rows = parse_devices(text.encode(), ImportFormat.CSV)
    assert [(r.row, r.line) for r in rows] == [(1, 2), (2, 4), (3, 5), (4, 6)]
    assert rows[0].spec is not None and rows[0].spec.addresses == ["2001:db8:ff::1", "10.0.0.1"]
    assert rows[0].spec.access_vlan is None and rows[0].spec.groups == ["lights"]
    assert [e.field for e in rows[1].errors] == ["access_port"]
    assert "fields" in rows[2].errors[0].message


def test_json_rows() -> None:
    document = {
        "devices": [
            {
                "device_id": "a",
                "customer": "acme",
                "endpoint": "2001:db8:100::a",
                "addresses": ["10.0.0.1"],
                "access_port": 3,
            },
            {
                "device_id": "b",
                "customer": "acme",
                "endpoint": "2001:db8:100::b",
                "addresses": "10.0.0.2",
                "access_port": "3",
            },
            {
                "device_id": "c",
                "customer": "acme",
                "endpoint": "2001:db8:100::c",
                "access_port": 3,
                "colour": "red",
            },
            "not an object",
        ]
    }
    rows = parse_devices(json.dumps(document).encode(), ImportFormat.JSON)
    assert rows[0].spec is not None and rows[0].spec.addresses == ["10.0.0.1"]
    assert [e.field for e in rows[1].errors] == ["access_port"]
    assert sorted(e.field for e in rows[2].errors) == ["addresses", "colour"]
    assert rows[3].errors[0].message == "each device must be a JSON object"


# ---- jobs -------------------------------------------------------------------------------------


def test_bad_rows_are_skipped_and_reported(reg: Registry) -> None:
    rows = [csv_row(n) for n in range(1, 31)]
    rows[4] = csv_row(5, endpoint="2001:db8:999::5")  # outside the prefix
    rows[11] = csv_row(12, addresses="2001:db8:ff::b")  # row 11's address, same chunk
    rows[12] = csv_row(13, addresses="2001:db8:ff::1")  # row 1's address, stored by then
    rows[20] = csv_row(21, access_port="x")  # not a number
    progress = run(reg, csv_file(rows), ImportFormat.CSV)
    assert (progress.status, progress.total, progress.done, progress.stored, progress.failed) == (
        JobStatus.DONE,
        30,
        30,
        26,
        4,
    )
    assert [(e.row, e.line, e.field, e.kind) for e in progress.errors] == [
        (5, 6, "endpoint", "invalid"),
        (12, 13, "addresses[0]", "conflict"),
        (13, 14, "addresses[0]", "conflict"),
        (21, 22, "access_port", "invalid"),
    ]
    assert "row 11 of this import" in progress.errors[1].message
    assert "device 'd1'" in progress.errors[2].message
    assert reg.counts()["devices"] == 26
    assert len(reg.get_group("lights").members) == 26


def test_stop_on_error_keeps_the_rows_before(reg: Registry) -> None:
    rows = [csv_row(n) for n in range(1, 31)]
    rows[14] = csv_row(15, customer="nobody")
    progress = run(reg, csv_file(rows), ImportFormat.CSV, stop=True, chunk=4)
    assert (progress.status, progress.done, progress.stored, progress.failed) == (
        JobStatus.STOPPED,
        15,
        14,
        1,
    )
    assert [(e.row, e.field, e.kind) for e in progress.errors] == [(15, "customer", "not_found")]
    assert [d.device_id for d in reg.list_devices(limit=100).items] == sorted(f"d{n}" for n in range(1, 15))


def test_stop_on_a_parse_error_mid_chunk(reg: Registry) -> None:
    rows = [csv_row(n) for n in range(1, 11)]
    rows[6] = csv_row(7, access_vlan="seven")
    progress = run(reg, csv_file(rows), ImportFormat.CSV, stop=True, chunk=5)
    assert (progress.status, progress.done, progress.stored) == (JobStatus.STOPPED, 7, 6)
    assert [(e.row, e.field) for e in progress.errors] == [(7, "access_vlan")]


def test_a_failed_chunk_rolls_back_whole(reg: Registry, db_path: Path) -> None:
    # A real storage failure, injected with a trigger, on the device of row 15 (chunk 2 of 3).
    db = sqlite3.connect(db_path)
    db.execute(
        "CREATE TRIGGER refuse BEFORE INSERT ON devices WHEN NEW.device_id = 'd15'"
        " BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )
    db.commit()
    db.close()
    rows = [csv_row(n) for n in range(1, 31)]
    progress = run(reg, csv_file(rows), ImportFormat.CSV, chunk=10)
    assert (progress.status, progress.stored, progress.failed) == (JobStatus.DONE, 20, 10)
    assert sorted(e.row for e in progress.errors) == list(range(11, 21))
    assert all("rolled back" in e.message and "injected failure" in e.message for e in progress.errors)
    stored = {d.device_id for d in reg.list_devices(limit=100).items}
    assert stored == {f"d{n}" for n in [*range(1, 11), *range(21, 31)]}
    assert reg.get_group("lights").members == stored
    # Nothing of the rolled-back chunk is in memory: its addresses are free again.
    again = reg.add_device(
        device(15, device_id="d15-again", endpoint="2001:db8:100::f", addresses=["2001:db8:ff::f"])
    )
    assert again.device_id == "d15-again"
    # And on disk, every stored device is whole: an endpoint and both access addresses.
    db = sqlite3.connect(db_path)
    counts = dict(
        db.execute("SELECT device_id, count(*) FROM device_addresses GROUP BY device_id").fetchall()
    )
    db.close()
    assert all(counts[d] == 3 for d in stored)


def test_json_import(reg: Registry) -> None:
    devices = [
        {
            "device_id": f"j{n}",
            "customer": "acme",
            "endpoint": f"2001:db8:100::{n:x}",
            "addresses": [f"2001:db8:ff::{n:x}"],
            "access_port": 4,
            "access_vlan": 10 + n,
            "rate_profile": "low" if n % 2 else "default",
            "groups": ["lights"],
        }
        for n in range(1, 26)
    ]
    devices[9]["rate_profile"] = "gold"
    progress = run(reg, json.dumps(devices).encode(), ImportFormat.JSON, chunk=7)
    assert (progress.status, progress.stored, progress.failed) == (JobStatus.DONE, 24, 1)
    assert [(e.row, e.line, e.field) for e in progress.errors] == [(10, None, "rate_profile")]
    assert reg.get_device("j3").access_vlan == 13 and reg.get_device("j3").rate_profile == "low"
