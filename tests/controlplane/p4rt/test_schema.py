"""Loading build outputs with clear errors, and the P4Info questions the client asks."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane.p4rt import PipelineFileError, PipelineFiles, digest_names, idle_timeout_tables


def test_the_compiled_test_program_loads(pipeline: PipelineFiles) -> None:
    schema = pipeline.load()
    assert schema.is_authoritative
    assert schema.p4blob == pipeline.device_config.read_bytes()
    assert digest_names(schema) == ["learn_t"]
    assert idle_timeout_tables(schema) == ["smac"]
    assert {t.alias for t in schema.tables} == {"smac", "dmac"}
    assert set(schema.controller_packet_metadata) >= set()
    assert schema.controller_packet_metadata["packet_in"].metadata["replica"].bitwidth == 7


def test_same_files_same_cookie_other_config_other_cookie(pipeline: PipelineFiles, tmp_path: Path) -> None:
    other = tmp_path / "other.bin"
    other.write_bytes(pipeline.device_config.read_bytes() + b" ")
    changed = PipelineFiles(p4info=pipeline.p4info, device_config=other)
    assert pipeline.load().p4cookie == pipeline.load().p4cookie
    assert changed.load().p4cookie != pipeline.load().p4cookie


def test_missing_or_broken_files_give_one_clear_line(pipeline: PipelineFiles, tmp_path: Path) -> None:
    with pytest.raises(PipelineFileError, match=r"nope\.p4info\.txtpb: cannot read the P4Info"):
        PipelineFiles(p4info=tmp_path / "nope.p4info.txtpb", device_config=pipeline.device_config).load()
    with pytest.raises(PipelineFileError, match="cannot read the device config"):
        PipelineFiles(p4info=pipeline.p4info, device_config=tmp_path / "nope.bin").load()
    garbled = tmp_path / "bad.p4info.txtpb"
    garbled.write_text("tables { preamble { id: oops } }\n")
    with pytest.raises(PipelineFileError, match="not a P4Info in text format"):
        PipelineFiles(p4info=garbled, device_config=pipeline.device_config).load()
    empty = tmp_path / "empty.bin"
    empty.write_bytes(b"")
    with pytest.raises(PipelineFileError, match="device config is empty"):
        PipelineFiles(p4info=pipeline.p4info, device_config=empty).load()
    with pytest.raises(PipelineFileError, match="unknown target 'tofino'"):
        PipelineFiles.from_build("edge", target="tofino")
