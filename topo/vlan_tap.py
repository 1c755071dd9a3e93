"""A user-space 802.1Q access link, for kernels without VLAN interfaces (no ``8021q`` module).

``python -m topo.vlan_tap --trunk eth0 --tap eth0.100 --vlan 100`` joins a TAP interface (where
the host's IP stack lives, untagged) to a trunk interface (the veth toward the switch, tagged):

- a frame the host's stack sends on the TAP leaves the trunk with an 802.1Q tag for ``--vlan``
  (PCP 0) inserted after the two MAC addresses;
- a frame arriving on the trunk tagged with ``--vlan`` has its tag taken off and is handed to the
  TAP; untagged frames and other VLANs are dropped, as a kernel VLAN interface would.

The runner creates the TAP persistently (``ip tuntap add``) and configures it before starting
this process, so the addresses survive a restart of the shim; the TAP reports carrier only while
the shim holds it. The trunk is read through :class:`softswitch.ports.rawsock.RawPort`, which
puts back the tag the kernel strips on receive and skips the frames we send ourselves.
SIGTERM stops it.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import select
import signal
import struct
import sys
from collections.abc import Sequence
from types import FrameType

from softswitch.ports.rawsock import PortError, RawPort

TUNSETIFF = 0x400454CA
IFF_TAP = 0x0002
IFF_NO_PI = 0x1000
ETH_P_8021Q = 0x8100
_MACS = 12
_TAG = struct.Struct("!HH")
_MAX_FRAME = 65536


def open_tap(name: str) -> int:
    """Attach to the TAP interface ``name`` (created if it does not exist); return its fd."""
    fd = os.open("/dev/net/tun", os.O_RDWR | os.O_CLOEXEC)
    try:
        request = struct.pack("16sH", name.encode(), IFF_TAP | IFF_NO_PI)
        fcntl.ioctl(fd, TUNSETIFF, request)
    except OSError:
        os.close(fd)
        raise
    os.set_blocking(fd, False)
    return fd


def tag_frame(frame: bytes, vlan: int) -> bytes:
    """``frame`` with an 802.1Q tag for ``vlan`` (PCP 0) after its MAC addresses."""
    return frame[:_MACS] + _TAG.pack(ETH_P_8021Q, vlan) + frame[_MACS:]


def untag_frame(frame: bytes, vlan: int) -> bytes | None:
    """``frame`` without its tag if it is tagged with ``vlan``; None for any other frame."""
    if len(frame) < _MACS + _TAG.size + 2:
        return None
    tpid, tci = _TAG.unpack_from(frame, _MACS)
    if tpid != ETH_P_8021Q or tci & 0x0FFF != vlan:
        return None
    return frame[:_MACS] + frame[_MACS + _TAG.size :]


class _Stop(Exception):
    pass


def _stop(_signum: int, _frame: FrameType | None) -> None:
    raise _Stop


def run(trunk_name: str, tap_name: str, vlan: int) -> None:
    """Carry frames between the TAP and the trunk until SIGTERM or SIGINT."""
    trunk = RawPort(trunk_name)
    tap = open_tap(tap_name)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"vlan_tap: {tap_name} <-> {trunk_name} VLAN {vlan}", flush=True)
    poller = select.poll()
    poller.register(tap, select.POLLIN)
    poller.register(trunk.fileno(), select.POLLIN)
    try:
        while True:
            for fd, _events in poller.poll():
                if fd == tap:
                    while True:
                        try:
                            frame = os.read(tap, _MAX_FRAME)
                        except BlockingIOError:
                            break
                        if len(frame) >= _MACS + 2:
                            trunk.send(tag_frame(frame, vlan))
                else:
                    while (received := trunk.recv()) is not None:
                        inner = untag_frame(received, vlan)
                        if inner is not None:
                            # a TAP that is down or full loses the frame, as a wire would
                            with contextlib.suppress(OSError):
                                os.write(tap, inner)
    except _Stop:
        pass
    finally:
        trunk.close()
        os.close(tap)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m topo.vlan_tap", description=__doc__.splitlines()[0])
    parser.add_argument("--trunk", required=True, help="the interface that carries tagged frames")
    parser.add_argument("--tap", required=True, help="the TAP interface the host's addresses are on")
    parser.add_argument("--vlan", required=True, type=int, help="the VLAN id, 1..4094")
    args = parser.parse_args(argv)
    if not 1 <= args.vlan <= 4094:
        parser.error(f"--vlan must be in 1..4094, not {args.vlan}")
    try:
        run(args.trunk, args.tap, args.vlan)
    except (PortError, OSError) as e:
        print(f"vlan_tap: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
