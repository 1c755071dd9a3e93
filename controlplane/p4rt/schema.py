"""The pipeline a switch runs: the build outputs to push, and P4Info lookups.

finsy's :class:`~finsy.P4Schema` already models a P4Info with lookups by name, alias and id
(``schema.tables["dmac"].match_fields``, ``schema.digests``, ...) and computes the pipeline cookie
from the P4Info and device config. This module adds what it lacks:

* :class:`PipelineFiles` — where ``make build TARGET=...`` put a program's P4Info and device
  config (``build/<target>/<prog>.p4info.txtpb`` and ``<prog>.bin`` for softswitch or
  ``<prog>.json`` for BMv2), loaded with clear errors instead of tracebacks;
* a few questions the client asks of a P4Info (:func:`digest_names`, :func:`idle_timeout_tables`,
  :func:`describe`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from finsy import P4Schema
from finsy.p4schema import P4IdleTimeoutBehavior
from finsy.proto import p4i
from google.protobuf import text_format  # type: ignore[import-untyped]  # used here only

from controlplane.p4rt.errors import PipelineFileError

__all__ = [
    "DEVICE_CONFIG_SUFFIX",
    "TARGETS",
    "PipelineFiles",
    "describe",
    "digest_names",
    "idle_timeout_tables",
    "load_p4info",
]

#: The device-config file each target's compiler writes next to the P4Info.
DEVICE_CONFIG_SUFFIX: dict[str, str] = {"softswitch": ".bin", "bmv2": ".json"}
TARGETS: tuple[str, ...] = tuple(DEVICE_CONFIG_SUFFIX)
P4INFO_SUFFIX = ".p4info.txtpb"


@dataclass(frozen=True, slots=True, kw_only=True)
class PipelineFiles:
    """A compiled program: its P4Info (text format) and the target's device config."""

    p4info: Path
    device_config: Path

    @classmethod
    def from_build(cls, program: str, *, target: str = "softswitch", build_dir: Path = Path("build")) -> PipelineFiles:
        """The outputs of ``make build TARGET=target`` for ``program`` (e.g. ``"edge"``)."""
        suffix = DEVICE_CONFIG_SUFFIX.get(target)
        if suffix is None:
            raise PipelineFileError(f"unknown target {target!r}: expected one of {', '.join(TARGETS)}")
        folder = build_dir / target
        return cls(p4info=folder / f"{program}{P4INFO_SUFFIX}", device_config=folder / f"{program}{suffix}")

    def load(self) -> P4Schema:
        """Read both files into a schema that knows the pipeline cookie to push."""
        info = load_p4info(self.p4info)
        try:
            blob = self.device_config.read_bytes()
        except OSError as err:
            raise PipelineFileError(f"{self.device_config}: cannot read the device config: {err.strerror or err}") from None
        if not blob:
            raise PipelineFileError(f"{self.device_config}: the device config is empty")
        return P4Schema(info, blob)

    @property
    def program(self) -> str:
        """The program's name, from the P4Info file name."""
        return self.p4info.name.removesuffix(P4INFO_SUFFIX)


def load_p4info(path: Path) -> p4i.P4Info:
    """Parse a P4Info text file (as p4c's ``--p4runtime-files`` writes it)."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        reason = err.strerror if isinstance(err, OSError) else str(err)
        raise PipelineFileError(f"{path}: cannot read the P4Info: {reason or err}") from None
    info = p4i.P4Info()
    try:
        text_format.Parse(text, info)
    except text_format.ParseError as err:
        raise PipelineFileError(f"{path}: not a P4Info in text format: {err}") from None
    if not info.tables and not info.actions and not info.pkg_info.arch:
        raise PipelineFileError(f"{path}: the P4Info is empty")
    return info


def digest_names(schema: P4Schema) -> list[str]:
    """The aliases of the program's digests (the names finsy's digest entities use)."""
    if not schema.exists:
        return []
    return [digest.alias for digest in schema.digests]


def idle_timeout_tables(schema: P4Schema) -> list[str]:
    """The aliases of the tables that send idle-timeout notifications."""
    if not schema.exists:
        return []
    return [t.alias for t in schema.tables if t.idle_timeout_behavior == P4IdleTimeoutBehavior.NOTIFY_CONTROL]


def describe(schema: P4Schema, program: str = "") -> str:
    """A short label for logs: the program name, arch and cookie."""
    if not schema.exists:
        return "no pipeline"
    name = program or schema.name or "unnamed program"
    return f"{name} (arch {schema.arch or '?'}, cookie {schema.p4cookie:#018x})"
