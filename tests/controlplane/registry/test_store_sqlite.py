"""The SQLite store: file settings, schema version, atomic batches, refusal of foreign files."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from controlplane.registry.errors import StoreError
from controlplane.registry.model import Customer, Device
from controlplane.registry.store import WriteBatch
from controlplane.registry.store_sqlite import SCHEMA_VERSION, SqliteRegistryStore

CUSTOMER = Customer(
    name="acme",
    number=1,
    vlan=100,
    uplink_port=1,
    gateway_mac="02:00:00:00:01:01",
    prefix="2001:db8:100::/48",
)


def dev(n: int, *addresses: str, customer: str = "acme") -> Device:
    return Device(
        device_id=f"d{n}",
        number=n,
        customer=customer,
        endpoint=f"2001:db8:100::{n}",
        endpoint_v4=None,
        addresses=addresses or (f"2001:db8:ff::{n}",),
        access_port=3,
        access_vlan=None,
        rate_profile="default",
    )


def test_wal_schema_version_and_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    store = SqliteRegistryStore(path)
    assert store.schema_version == SCHEMA_VERSION == 1
    # A device of a customer that does not exist is refused by the foreign key.
    with pytest.raises(StoreError):
        store.apply(WriteBatch(devices_added=[dev(1, customer="nobody")]))
    store.close()
    db = sqlite3.connect(path)
    try:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("SELECT version FROM schema_version").fetchall() == [(1,)]
    finally:
        db.close()


def test_a_batch_is_all_or_nothing(tmp_path: Path) -> None:
    store = SqliteRegistryStore(tmp_path / "r.db")
    store.apply(WriteBatch(customers_put=[CUSTOMER], devices_added=[dev(1)]))
    # The third device reuses device 1's address: the whole batch fails, devices 2 and 4 too.
    batch = WriteBatch(devices_added=[dev(2), dev(3, "2001:db8:ff::1"), dev(4)])
    with pytest.raises(StoreError, match="UNIQUE"):
        store.apply(batch)
    loaded = store.load()
    assert [d.device_id for d in loaded.devices] == ["d1"]
    store.apply(WriteBatch(devices_added=[dev(2), dev(4)]))
    assert [d.device_id for d in store.load().devices] == ["d1", "d2", "d4"]
    store.close()


def test_updates_replace_addresses_and_keep_memberships_apart(tmp_path: Path) -> None:
    store = SqliteRegistryStore(tmp_path / "r.db")
    store.apply(WriteBatch(customers_put=[CUSTOMER], devices_added=[dev(1, "2001:db8:ff::1", "10.0.0.1")]))
    store.apply(WriteBatch(devices_put=[dev(1, "10.0.0.2")]))
    (loaded,) = store.load().devices
    assert loaded.addresses == ("10.0.0.2",)
    # The freed address can go to another device.
    store.apply(WriteBatch(devices_added=[dev(2, "10.0.0.1")]))
    store.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "r.db"
    SqliteRegistryStore(path).close()
    db = sqlite3.connect(path)
    db.execute("INSERT INTO schema_version (version) VALUES (99)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="schema version 99"):
        SqliteRegistryStore(path)


def test_foreign_files_are_refused(tmp_path: Path) -> None:
    other = tmp_path / "other.db"
    db = sqlite3.connect(other)
    db.execute("CREATE TABLE something (x)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="not a p4edge registry"):
        SqliteRegistryStore(other)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match=r"junk\.db"):
        SqliteRegistryStore(junk)
    with pytest.raises(StoreError, match="cannot"):
        SqliteRegistryStore(tmp_path / "missing-dir" / "r.db")
