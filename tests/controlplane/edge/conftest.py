"""Fixtures: the edge program compiled as ``make build`` would, a registry on a real SQLite file,
a real softswitch process, and an edge programmer connected to it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from controlplane.edge.encode import EdgeSchema
from controlplane.p4rt import PipelineFiles
from controlplane.registry.model import CustomerSpec, RateProfile
from controlplane.registry.service import Registry
from controlplane.registry.store_sqlite import SqliteRegistryStore
from tests.controlplane.p4rt.softswitch_process import REPO, SoftswitchProcess, compile_program

PROFILES = {
    "default": RateProfile(name="default", cir=125_000, cburst=15_000, pir=250_000, pburst=30_000),
    "low": RateProfile(name="low", cir=16_000, cburst=3_000, pir=32_000, pburst=6_000),
}


@pytest.fixture(scope="session")
def edge_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A build tree holding ``softswitch/edge.p4info.txtpb`` and ``.bin`` from p4src/edge.p4."""
    root = tmp_path_factory.mktemp("edge-build")
    compile_program(REPO / "p4src" / "edge.p4", root)
    return root


@pytest.fixture(scope="session")
def edge_pipeline(edge_build: Path) -> PipelineFiles:
    return PipelineFiles.from_build("edge", target="softswitch", build_dir=edge_build)


@pytest.fixture(scope="session")
def edge_schema(edge_pipeline: PipelineFiles) -> EdgeSchema:
    return EdgeSchema(edge_pipeline.load())


@pytest.fixture
def registry(tmp_path: Path) -> Iterator[Registry]:
    reg = Registry(SqliteRegistryStore(tmp_path / "registry.db"), PROFILES)
    try:
        yield reg
    finally:
        reg.close()


@pytest.fixture
def switch() -> Iterator[SoftswitchProcess]:
    proc = SoftswitchProcess()
    try:
        yield proc
        if proc.alive():
            assert "Traceback" not in proc.stderr(), proc.stderr()
    finally:
        proc.close()


def acme(**overrides: object) -> CustomerSpec:
    fields: dict[str, object] = {
        "name": "acme",
        "vlan": 1000,
        "uplink_port": 3,
        "gateway_mac": "02:00:00:00:10:01",
        "prefix": "2001:db8:a::/64",
        "anycast": "2001:db8:a::100",
    }
    fields.update(overrides)
    return CustomerSpec(**fields)  # type: ignore[arg-type]
