"""Classic libpcap files, for ``softswitch run --pcap DIR``.

As BMv2's ``--pcap``, each attached interface gets two files in ``DIR``: ``<ifname>_in.pcap`` for the
frames the switch received on it and ``<ifname>_out.pcap`` for the frames it transmitted on it.

The format is the original libpcap one that every tool reads (tcpdump, Wireshark, scapy): a 24-byte
global header (magic ``0xa1b2c3d4``, version 2.4, link type 1 = Ethernet) and then, per frame, a
16-byte record header (seconds, microseconds, captured length, original length) and the bytes. We
write little-endian; readers tell the byte order from the magic. Every record is flushed at once,
so a capture can be read while the switch is still running.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Literal

PCAP_MAGIC = 0xA1B2C3D4
PCAP_VERSION = (2, 4)
LINKTYPE_ETHERNET = 1
DEFAULT_SNAPLEN = 262144

_GLOBAL_HEADER = struct.Struct("<IHHiIII")
_RECORD_HEADER = struct.Struct("<IIII")

Direction = Literal["in", "out"]


class PcapError(Exception):
    """A pcap file that cannot be written or read; the message is one line."""


def pcap_path(directory: Path, ifname: str, direction: Direction) -> Path:
    """Where ``--pcap DIR`` puts the capture of ``ifname`` in ``direction`` (BMv2's naming)."""
    return directory / f"{ifname}_{direction}.pcap"


class PcapWriter:
    """Appends Ethernet frames to a new classic pcap file (an existing file is replaced)."""

    def __init__(self, path: Path, *, snaplen: int = DEFAULT_SNAPLEN) -> None:
        self.path = path
        self.snaplen = snaplen
        try:
            self._file: BinaryIO = open(path, "wb")  # noqa: SIM115 - closed by close()
        except OSError as err:
            raise PcapError(f"cannot write pcap file {path}: {err.strerror or err}") from None
        major, minor = PCAP_VERSION
        self._file.write(_GLOBAL_HEADER.pack(PCAP_MAGIC, major, minor, 0, 0, snaplen, LINKTYPE_ETHERNET))
        self._file.flush()

    def write(self, frame: bytes, timestamp: float | None = None) -> None:
        """Append one frame (cut to the snap length) stamped with ``timestamp`` (default: now)."""
        stamp_ns = time.time_ns() if timestamp is None else int(timestamp * 1_000_000_000)
        seconds, nanos = divmod(stamp_ns, 1_000_000_000)
        captured = frame[: self.snaplen]
        self._file.write(_RECORD_HEADER.pack(seconds, nanos // 1000, len(captured), len(frame)))
        self._file.write(captured)
        self._file.flush()

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> PcapWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class PcapRecord:
    """One frame read back from a pcap file."""

    timestamp: float
    data: bytes
    orig_len: int


def read_pcap(path: Path) -> list[PcapRecord]:
    """Read every complete record of a classic pcap file (either byte order, microsecond stamps).

    A record cut short at the end of the file (a writer still running) is left out.
    """
    try:
        blob = path.read_bytes()
    except OSError as err:
        raise PcapError(f"cannot read pcap file {path}: {err.strerror or err}") from None
    if len(blob) < _GLOBAL_HEADER.size:
        raise PcapError(f"{path}: too short for a pcap header")
    for order in ("<", ">"):
        if struct.unpack_from(order + "I", blob, 0)[0] == PCAP_MAGIC:
            break
    else:
        raise PcapError(f"{path}: not a classic pcap file (bad magic)")
    _magic, _major, _minor, _zone, _sigfigs, _snaplen, linktype = struct.unpack_from(
        order + "IHHiIII", blob, 0
    )
    if linktype != LINKTYPE_ETHERNET:
        raise PcapError(f"{path}: link type {linktype}, expected {LINKTYPE_ETHERNET} (Ethernet)")
    record = struct.Struct(order + "IIII")
    records: list[PcapRecord] = []
    offset = _GLOBAL_HEADER.size
    while offset + record.size <= len(blob):
        seconds, micros, captured, original = record.unpack_from(blob, offset)
        start = offset + record.size
        if start + captured > len(blob):
            break
        records.append(PcapRecord(seconds + micros / 1_000_000, blob[start : start + captured], original))
        offset = start + captured
    return records
