"""The embedded registry store: one SQLite file.

- WAL journal, ``synchronous=FULL`` (a committed batch survives a crash or power loss), foreign
  keys on, and a ``schema_version`` table that later versions migrate from.
- Each ``WriteBatch`` is one ``BEGIN IMMEDIATE`` ... ``COMMIT`` transaction using ``executemany``;
  any failure rolls the whole batch back and raises ``StoreError``.
- The schema enforces what it can by itself: unique names, numbers and addresses (endpoints and
  access addresses share one table, so no address can belong to two devices), VLAN and port
  ranges, one customer per (uplink port, VLAN), and references between records.
"""

from __future__ import annotations

import itertools
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Final

from controlplane.registry.errors import StoreError
from controlplane.registry.model import AccessRequest, AccessRequestStatus, Customer, Device, Group
from controlplane.registry.store import StoredRegistry, WriteBatch

log = logging.getLogger(__name__)

SCHEMA_VERSION: Final = 1

_SCHEMA_V1: Final = (
    """CREATE TABLE schema_version (
        version    INTEGER PRIMARY KEY,
        applied_at TEXT NOT NULL DEFAULT (datetime('now'))
    )""",
    """CREATE TABLE customers (
        name             TEXT PRIMARY KEY,
        number           INTEGER NOT NULL UNIQUE,
        vlan             INTEGER NOT NULL CHECK (vlan BETWEEN 1 AND 4094),
        uplink_port      INTEGER NOT NULL CHECK (uplink_port BETWEEN 0 AND 511),
        gateway_mac      TEXT NOT NULL,
        prefix           TEXT NOT NULL,
        prefix_v4        TEXT,
        anycast          TEXT,
        anycast_v4       TEXT,
        allowed_prefixes TEXT NOT NULL DEFAULT '',
        UNIQUE (uplink_port, vlan)
    )""",
    """CREATE TABLE devices (
        device_id    TEXT PRIMARY KEY,
        number       INTEGER NOT NULL UNIQUE,
        customer     TEXT NOT NULL REFERENCES customers(name),
        access_port  INTEGER NOT NULL CHECK (access_port BETWEEN 0 AND 511),
        access_vlan  INTEGER CHECK (access_vlan BETWEEN 1 AND 4094),
        rate_profile TEXT NOT NULL
    )""",
    """CREATE TABLE device_addresses (
        address   TEXT PRIMARY KEY,
        device_id TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        role      TEXT NOT NULL CHECK (role IN ('endpoint', 'endpoint_v4', 'access')),
        position  INTEGER NOT NULL
    )""",
    "CREATE INDEX device_addresses_by_device ON device_addresses(device_id)",
    """CREATE TABLE mcast_groups (
        name     TEXT PRIMARY KEY,
        number   INTEGER NOT NULL UNIQUE,
        customer TEXT NOT NULL REFERENCES customers(name),
        address  TEXT NOT NULL,
        UNIQUE (customer, address)
    )""",
    """CREATE TABLE group_members (
        group_name TEXT NOT NULL REFERENCES mcast_groups(name) ON DELETE CASCADE,
        device_id  TEXT NOT NULL REFERENCES devices(device_id) ON DELETE CASCADE,
        PRIMARY KEY (group_name, device_id)
    ) WITHOUT ROWID""",
    "CREATE INDEX group_members_by_device ON group_members(device_id)",
    """CREATE TABLE access_requests (
        id         INTEGER PRIMARY KEY,
        port       INTEGER NOT NULL,
        vlan       INTEGER,
        src_mac    TEXT NOT NULL,
        src_addr   TEXT NOT NULL,
        first_seen REAL NOT NULL,
        last_seen  REAL NOT NULL,
        count      INTEGER NOT NULL,
        status     TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'denied')),
        device_id  TEXT
    )""",
    "CREATE UNIQUE INDEX access_requests_by_sender ON access_requests(port, ifnull(vlan, 0), src_mac, src_addr)",
)

# Statements that bring a database from version N-1 to N.
MIGRATIONS: Final[dict[int, tuple[str, ...]]] = {1: _SCHEMA_V1}


class SqliteRegistryStore:
    """``RegistryStore`` on one SQLite file (created if missing)."""

    def __init__(self, path: Path | str) -> None:
        self._path = Path(path)
        try:
            self._db = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as e:
            raise StoreError(f"cannot open database {self._path}: {e}") from e
        try:
            self._setup()
        except sqlite3.Error as e:
            self._db.close()
            raise StoreError(f"cannot use database {self._path}: {e}") from e
        except StoreError:
            self._db.close()
            raise

    @property
    def location(self) -> str:
        return str(self._path)

    @property
    def schema_version(self) -> int:
        row = self._db.execute("SELECT max(version) FROM schema_version").fetchone()
        return int(row[0])

    def _setup(self) -> None:
        db = self._db
        db.execute("PRAGMA busy_timeout = 5000")
        mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            log.warning("registry database %s: journal mode is %s, not WAL", self._path, mode)
        db.execute("PRAGMA synchronous = FULL")
        db.execute("PRAGMA foreign_keys = ON")
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "schema_version" in tables:
            version = self.schema_version
        elif tables:
            raise StoreError(
                f"{self._path} is not a p4edge registry database (it has no schema_version table)"
            )
        else:
            version = 0
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self._path} has registry schema version {version}; this controller knows up to {SCHEMA_VERSION}"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction():
                for statement in MIGRATIONS[target]:
                    db.execute(statement)
                db.execute("INSERT INTO schema_version (version) VALUES (?)", (target,))
            log.info("registry database %s: schema now at version %d", self._path, target)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    # ---- reading ------------------------------------------------------------------------

    def load(self) -> StoredRegistry:
        try:
            return self._load()
        except sqlite3.Error as e:
            raise StoreError(f"cannot read database {self._path}: {e}") from e

    def _load(self) -> StoredRegistry:
        db = self._db
        customers = [
            Customer(
                name=r[0],
                number=r[1],
                vlan=r[2],
                uplink_port=r[3],
                gateway_mac=r[4],
                prefix=r[5],
                prefix_v4=r[6],
                anycast=r[7],
                anycast_v4=r[8],
                allowed_prefixes=tuple(r[9].split()),
            )
            for r in db.execute(
                "SELECT name, number, vlan, uplink_port, gateway_mac, prefix, prefix_v4, anycast, anycast_v4,"
                " allowed_prefixes FROM customers ORDER BY name"
            )
        ]

        endpoints: dict[str, str] = {}
        endpoints_v4: dict[str, str] = {}
        access: dict[str, list[str]] = {}
        for device_id, role, address in db.execute(
            "SELECT device_id, role, address FROM device_addresses ORDER BY device_id, position"
        ):
            if role == "endpoint":
                endpoints[device_id] = address
            elif role == "endpoint_v4":
                endpoints_v4[device_id] = address
            else:
                access.setdefault(device_id, []).append(address)

        members: dict[str, set[str]] = {}
        for group_name, device_id in db.execute("SELECT group_name, device_id FROM group_members"):
            members.setdefault(group_name, set()).add(device_id)

        devices = []
        for device_id, number, customer, port, vlan, profile in db.execute(
            "SELECT device_id, number, customer, access_port, access_vlan, rate_profile FROM devices ORDER BY device_id"
        ):
            if device_id not in endpoints:
                raise StoreError(f"database {self._path}: device {device_id!r} has no endpoint")
            devices.append(
                Device(
                    device_id=device_id,
                    number=number,
                    customer=customer,
                    endpoint=endpoints[device_id],
                    endpoint_v4=endpoints_v4.get(device_id),
                    addresses=tuple(access.get(device_id, ())),
                    access_port=port,
                    access_vlan=vlan,
                    rate_profile=profile,
                )
            )

        groups = [
            Group(
                name=r[0], number=r[1], customer=r[2], address=r[3], members=frozenset(members.get(r[0], ()))
            )
            for r in db.execute("SELECT name, number, customer, address FROM mcast_groups ORDER BY name")
        ]
        requests = [
            AccessRequest(
                id=r[0],
                port=r[1],
                vlan=r[2],
                src_mac=r[3],
                src_addr=r[4],
                first_seen=r[5],
                last_seen=r[6],
                count=r[7],
                status=AccessRequestStatus(r[8]),
                device_id=r[9],
            )
            for r in db.execute(
                "SELECT id, port, vlan, src_mac, src_addr, first_seen, last_seen, count, status, device_id"
                " FROM access_requests ORDER BY id"
            )
        ]
        return StoredRegistry(customers, devices, groups, requests)

    # ---- writing ------------------------------------------------------------------------

    def apply(self, batch: WriteBatch) -> None:
        if not batch:
            return
        try:
            with self._transaction() as db:
                _apply(db, batch)
        except sqlite3.Error as e:
            raise StoreError(f"database {self._path}: {e}") from e

    def close(self) -> None:
        self._db.close()


def _apply(db: sqlite3.Connection, batch: WriteBatch) -> None:
    # Removals first, so that a batch may hand a removed record's address or number to another.
    db.executemany("DELETE FROM group_members WHERE group_name = ? AND device_id = ?", batch.members_removed)
    db.executemany("DELETE FROM mcast_groups WHERE name = ?", ((g.name,) for g in batch.groups_removed))
    db.executemany("DELETE FROM devices WHERE device_id = ?", ((d.device_id,) for d in batch.devices_removed))
    db.executemany("DELETE FROM customers WHERE name = ?", ((c.name,) for c in batch.customers_removed))

    db.executemany(
        "INSERT INTO customers (name, number, vlan, uplink_port, gateway_mac, prefix, prefix_v4, anycast, anycast_v4,"
        " allowed_prefixes) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (name) DO UPDATE SET"
        " number = excluded.number, vlan = excluded.vlan, uplink_port = excluded.uplink_port,"
        " gateway_mac = excluded.gateway_mac, prefix = excluded.prefix, prefix_v4 = excluded.prefix_v4,"
        " anycast = excluded.anycast, anycast_v4 = excluded.anycast_v4, allowed_prefixes = excluded.allowed_prefixes",
        (
            (
                c.name,
                c.number,
                c.vlan,
                c.uplink_port,
                c.gateway_mac,
                c.prefix,
                c.prefix_v4,
                c.anycast,
                c.anycast_v4,
                " ".join(c.allowed_prefixes),
            )
            for c in batch.customers_put
        ),
    )

    if batch.devices_put:
        db.executemany(
            "DELETE FROM device_addresses WHERE device_id = ?", ((d.device_id,) for d in batch.devices_put)
        )
        db.executemany(
            "INSERT INTO devices (device_id, number, customer, access_port, access_vlan, rate_profile)"
            " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (device_id) DO UPDATE SET number = excluded.number,"
            " customer = excluded.customer, access_port = excluded.access_port,"
            " access_vlan = excluded.access_vlan, rate_profile = excluded.rate_profile",
            _device_rows(batch.devices_put),
        )
    if batch.devices_added:
        db.executemany(
            "INSERT INTO devices (device_id, number, customer, access_port, access_vlan, rate_profile)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            _device_rows(batch.devices_added),
        )
    if batch.devices_put or batch.devices_added:
        db.executemany(
            "INSERT INTO device_addresses (address, device_id, role, position) VALUES (?, ?, ?, ?)",
            _address_rows(itertools.chain(batch.devices_put, batch.devices_added)),
        )

    db.executemany(
        "INSERT INTO mcast_groups (name, number, customer, address) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (name) DO UPDATE SET number = excluded.number, customer = excluded.customer,"
        " address = excluded.address",
        ((g.name, g.number, g.customer, g.address) for g in batch.groups_put),
    )
    db.executemany("INSERT INTO group_members (group_name, device_id) VALUES (?, ?)", batch.members_added)

    db.executemany(
        "INSERT INTO access_requests (id, port, vlan, src_mac, src_addr, first_seen, last_seen, count, status,"
        " device_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET"
        " last_seen = excluded.last_seen, count = excluded.count, status = excluded.status,"
        " device_id = excluded.device_id",
        (
            (
                r.id,
                r.port,
                r.vlan,
                r.src_mac,
                r.src_addr,
                r.first_seen,
                r.last_seen,
                r.count,
                str(r.status),
                r.device_id,
            )
            for r in batch.requests_put
        ),
    )


def _device_rows(devices: Iterable[Device]) -> Iterator[tuple[str, int, str, int, int | None, str]]:
    for d in devices:
        yield d.device_id, d.number, d.customer, d.access_port, d.access_vlan, d.rate_profile


def _address_rows(devices: Iterable[Device]) -> Iterator[tuple[str, str, str, int]]:
    for d in devices:
        yield d.endpoint, d.device_id, "endpoint", 0
        if d.endpoint_v4 is not None:
            yield d.endpoint_v4, d.device_id, "endpoint_v4", 0
        for position, address in enumerate(d.addresses):
            yield address, d.device_id, "access", position
