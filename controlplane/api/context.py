"""What the route modules share: the registry, the import jobs, auth and the data plane."""

from __future__ import annotations

from dataclasses import dataclass

from controlplane.api.auth import TokenAuth
from controlplane.config import Config
from controlplane.registry.dataplane import DataPlane
from controlplane.registry.imports import ImportManager
from controlplane.registry.service import Registry


@dataclass(slots=True)
class ApiContext:
    config: Config
    registry: Registry
    imports: ImportManager
    auth: TokenAuth
    dataplane: DataPlane  # replaced by the edge layer's when the app starts
