"""Classic libpcap files: header fields from the libpcap format, cross-read with scapy's reader."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from scapy.utils import rdpcap

from softswitch.ports.pcap import PcapError, PcapWriter, pcap_path, read_pcap

FRAME_A = bytes(range(60))
FRAME_B = b"\xff" * 6 + b"\x02" * 6 + b"\x81\x00\x00\x64\x08\x00" + b"x" * 50


def test_global_header_is_classic_pcap_ethernet(tmp_path: Path) -> None:
    path = tmp_path / "a.pcap"
    with PcapWriter(path):
        pass
    header = path.read_bytes()
    assert len(header) == 24
    magic, major, minor, _zone, _sigfigs, snaplen, linktype = struct.unpack("<IHHiIII", header)
    assert (magic, major, minor, linktype) == (0xA1B2C3D4, 2, 4, 1)
    assert snaplen >= 65535


def test_records_are_readable_while_the_writer_is_open(tmp_path: Path) -> None:
    path = tmp_path / "live.pcap"
    with PcapWriter(path) as writer:
        writer.write(FRAME_A, timestamp=1_700_000_000.25)
        records = read_pcap(path)
        assert [r.data for r in records] == [FRAME_A]
        assert records[0].timestamp == pytest.approx(1_700_000_000.25)
        writer.write(FRAME_B)
        assert [r.data for r in read_pcap(path)] == [FRAME_A, FRAME_B]


def test_scapy_reads_the_same_frames(tmp_path: Path) -> None:
    path = tmp_path / "x.pcap"
    with PcapWriter(path) as writer:
        writer.write(FRAME_A)
        writer.write(FRAME_B)
    packets = rdpcap(str(path))
    assert [bytes(p) for p in packets] == [FRAME_A, FRAME_B]


def test_record_header_holds_lengths(tmp_path: Path) -> None:
    path = tmp_path / "snap.pcap"
    with PcapWriter(path, snaplen=20) as writer:
        writer.write(FRAME_A, timestamp=10.5)
    blob = path.read_bytes()
    seconds, micros, captured, original = struct.unpack_from("<IIII", blob, 24)
    assert (seconds, micros, captured, original) == (10, 500_000, 20, 60)
    assert blob[40:] == FRAME_A[:20]
    (record,) = read_pcap(path)
    assert (record.data, record.orig_len) == (FRAME_A[:20], 60)


def test_big_endian_files_are_read(tmp_path: Path) -> None:
    path = tmp_path / "be.pcap"
    path.write_bytes(
        struct.pack(">IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)
        + struct.pack(">IIII", 1, 2, len(FRAME_B), len(FRAME_B))
        + FRAME_B
    )
    assert [r.data for r in read_pcap(path)] == [FRAME_B]


def test_a_cut_record_at_the_end_is_left_out(tmp_path: Path) -> None:
    path = tmp_path / "cut.pcap"
    with PcapWriter(path) as writer:
        writer.write(FRAME_A)
        writer.write(FRAME_B)
    path.write_bytes(path.read_bytes()[:-5])
    assert [r.data for r in read_pcap(path)] == [FRAME_A]


def test_bmv2_file_naming(tmp_path: Path) -> None:
    assert pcap_path(tmp_path, "veth1", "in") == tmp_path / "veth1_in.pcap"
    assert pcap_path(tmp_path, "veth1", "out") == tmp_path / "veth1_out.pcap"


def test_errors_are_one_line(tmp_path: Path) -> None:
    with pytest.raises(PcapError, match="cannot write pcap file"):
        PcapWriter(tmp_path / "missing-dir" / "x.pcap")
    bad = tmp_path / "bad.pcap"
    bad.write_bytes(b"\x00" * 24)
    with pytest.raises(PcapError, match="bad magic"):
        read_pcap(bad)
    with pytest.raises(PcapError, match="cannot read pcap file"):
        read_pcap(tmp_path / "absent.pcap")
