"""A registry on a real SQLite file in a temp dir, with two rate profiles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controlplane.registry.model import CustomerSpec, DeviceSpec, RateProfile
from controlplane.registry.service import Registry
from controlplane.registry.store_sqlite import SqliteRegistryStore

PROFILES = {
    "default": RateProfile(name="default", cir=125_000, cburst=15_000, pir=250_000, pburst=30_000),
    "low": RateProfile(name="low", cir=16_000, cburst=3_000, pir=32_000, pburst=6_000),
}


def open_registry(path: Path) -> Registry:
    return Registry(SqliteRegistryStore(path), PROFILES)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "registry.db"


@pytest.fixture
def registry(db_path: Path) -> Iterator[Registry]:
    reg = open_registry(db_path)
    try:
        yield reg
    finally:
        reg.close()


def acme(**overrides: object) -> CustomerSpec:
    fields: dict[str, object] = {
        "name": "acme",
        "vlan": 100,
        "uplink_port": 1,
        "gateway_mac": "02:00:00:00:01:01",
        "prefix": "2001:db8:100::/48",
        "prefix_v4": "10.100.0.0/16",
        "anycast": "2001:db8:100::ffff",
    }
    fields.update(overrides)
    return CustomerSpec(**fields)  # type: ignore[arg-type]


def beta(**overrides: object) -> CustomerSpec:
    fields: dict[str, object] = {
        "name": "beta",
        "vlan": 200,
        "uplink_port": 1,
        "gateway_mac": "02:00:00:00:02:01",
        "prefix": "2001:db8:200::/48",
    }
    fields.update(overrides)
    return CustomerSpec(**fields)  # type: ignore[arg-type]


def device(n: int, customer: str = "acme", **overrides: object) -> DeviceSpec:
    """Device number n of a customer: endpoint ::n in its prefix, access address 2001:db8:ff::n."""
    base = "2001:db8:100" if customer == "acme" else "2001:db8:200"
    fields: dict[str, object] = {
        "device_id": f"{customer}-dev{n}",
        "customer": customer,
        "endpoint": f"{base}::{n:x}",
        "addresses": [f"2001:db8:ff::{n:x}" if customer == "acme" else f"2001:db8:fe::{n:x}"],
        "access_port": 3,
    }
    fields.update(overrides)
    return DeviceSpec(**fields)  # type: ignore[arg-type]
