"""Switch ports on Linux interfaces, through AF_PACKET raw sockets (as BMv2's ``-i PORT@IFNAME``).

One :class:`RawPort` is one ``SOCK_RAW`` packet socket bound to one interface for every protocol
(``ETH_P_ALL``). It is non-blocking, with large kernel buffers, and gives and takes whole Ethernet
frames. Opening one needs root (``CAP_NET_RAW``); without it :class:`PortError` says so in one line.

Three traps of packet sockets, and what this module does about them:

1. **802.1Q tags vanish on receive.** The kernel takes the outer VLAN tag off a received frame and
   keeps it beside the frame (always on veth, and on NICs with VLAN RX offload). We turn on
   ``PACKET_AUXDATA``, read ``struct tpacket_auxdata`` from the ancillary data of ``recvmsg`` and,
   when ``TP_STATUS_VLAN_VALID`` is set, put the 4-byte tag (``tp_vlan_tpid``, 0x8100 when the
   kernel gives no TPID, and ``tp_vlan_tci``) back after the two MAC addresses. The P4 parser sees
   the frame exactly as it was on the wire.
2. **A bound packet socket also sees what is sent on its interface** (``sll_pkttype ==
   PACKET_OUTGOING``): by the switch namespace's IP stack, by a capture tool, by any other socket,
   and by the switch itself were it to send through another socket than the one it receives on
   (the kernel only spares a socket its own sends). Unless skipped, the switch would forward them
   as if they had arrived. We ask the kernel not to queue them (``PACKET_IGNORE_OUTGOING``, Linux
   4.20+) and also skip any frame whose ``sll_pkttype`` is ``PACKET_OUTGOING``.
3. **Checksums left unfinished.** A host's kernel hands UDP/TCP checksums to the "hardware"
   (TX checksum offload); on veth nobody ever finishes them, so frames from a host reach the switch
   with a wrong L4 checksum (``TP_STATUS_CSUMNOTREADY``) and a P4 program that checks or updates
   it gives wrong results. Turn TX offload off on every host-side veth:
   ``ethtool -K IFNAME tx off`` (Debian package ``ethtool``). We count such frames in
   :attr:`RawPortCounters.rx_csum_not_ready` so the data plane can warn.
"""

from __future__ import annotations

import contextlib
import errno
import socket
import struct
from dataclasses import dataclass

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
PACKET_AUXDATA = 8
PACKET_IGNORE_OUTGOING = 23
PACKET_OUTGOING = 4
TP_STATUS_CSUMNOTREADY = 1 << 3
TP_STATUS_VLAN_VALID = 1 << 4
TP_STATUS_VLAN_TPID_VALID = 1 << 6
ETH_P_8021Q = 0x8100
SO_SNDBUFFORCE = 32
SO_RCVBUFFORCE = 33
ARPHRD_ETHER = 1
ARPHRD_LOOPBACK = 772

#: ``struct tpacket_auxdata``: tp_status, tp_len, tp_snaplen (u32); tp_mac, tp_net, tp_vlan_tci,
#: tp_vlan_tpid (u16); native byte order.
_AUXDATA = struct.Struct("=IIIHHHH")
_ANCILLARY_SPACE = socket.CMSG_SPACE(_AUXDATA.size)
#: ``struct tpacket_stats``: tp_packets, tp_drops (reading them resets them).
_TPACKET_STATS = struct.Struct("=II")
_VLAN_TAG = struct.Struct("!HH")
_MAC_PAIR_LEN = 12
_MSG_TRUNC = int(socket.MSG_TRUNC)  # a plain int: IntFlag arithmetic is slow on the per-frame path

#: Biggest frame we take: a 64 KiB MTU plus Ethernet and VLAN headers.
MAX_FRAME = 65536 + 64
DEFAULT_BUFFER_BYTES = 4 * 1024 * 1024


class PortError(Exception):
    """A port that cannot be opened; the message is one line, fit to print after ``softswitch: ``."""


@dataclass(slots=True)
class RawPortCounters:
    """What one port has seen since it was opened."""

    rx_frames: int = 0
    rx_bytes: int = 0
    rx_vlan_restored: int = 0
    rx_outgoing_skipped: int = 0
    rx_truncated: int = 0
    rx_csum_not_ready: int = 0
    rx_errors: int = 0
    #: Frames the kernel dropped because the socket's receive buffer was full (as of the last
    #: :meth:`RawPort.update_kernel_drops`).
    rx_kernel_drops: int = 0
    tx_frames: int = 0
    tx_bytes: int = 0
    tx_errors: int = 0


class RawPort:
    """A non-blocking AF_PACKET socket that receives and sends whole frames on one interface.

    ``ignore_outgoing_sockopt=False`` leaves out ``PACKET_IGNORE_OUTGOING`` so that tests can check
    that the ``sll_pkttype`` filter alone keeps the switch's own output out.
    """

    def __init__(
        self,
        ifname: str,
        *,
        buffer_bytes: int = DEFAULT_BUFFER_BYTES,
        ignore_outgoing_sockopt: bool = True,
    ) -> None:
        self.ifname = ifname
        self.counters = RawPortCounters()
        self.last_error: OSError | None = None
        #: Whether the kernel drops outgoing copies itself (PACKET_IGNORE_OUTGOING took effect).
        self.kernel_ignores_outgoing = False
        self._buffer = bytearray(MAX_FRAME)
        self._view = memoryview(self._buffer)
        try:
            # Protocol 0: the socket receives nothing until bound, so no frame from another
            # interface slips in between socket() and bind().
            sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, 0)
        except PermissionError:
            raise PortError(f"opening raw socket on {ifname} needs root (CAP_NET_RAW)") from None
        except OSError as err:
            raise PortError(f"cannot open a raw socket for {ifname}: {err.strerror or err}") from None
        try:
            self._configure(sock, buffer_bytes, ignore_outgoing_sockopt)
        except BaseException:
            sock.close()
            raise
        self._sock = sock
        self.ifindex = socket.if_nametoindex(ifname)

    def _configure(self, sock: socket.socket, buffer_bytes: int, ignore_outgoing: bool) -> None:
        ifname = self.ifname
        sock.setblocking(False)
        sock.setsockopt(SOL_PACKET, PACKET_AUXDATA, 1)
        if ignore_outgoing:
            try:
                sock.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
                self.kernel_ignores_outgoing = True
            except OSError:
                pass  # kernel older than 4.20: the sll_pkttype check in recv() does the job
        _set_buffer(sock, socket.SO_RCVBUF, SO_RCVBUFFORCE, buffer_bytes)
        _set_buffer(sock, socket.SO_SNDBUF, SO_SNDBUFFORCE, buffer_bytes)
        try:
            sock.bind((ifname, ETH_P_ALL))
        except OSError as err:
            if err.errno in (errno.ENODEV, errno.ENXIO):
                raise PortError(f"no network interface named {ifname!r}") from None
            raise PortError(f"cannot bind a raw socket to {ifname}: {err.strerror or err}") from None
        hatype = sock.getsockname()[3]
        if hatype not in (ARPHRD_ETHER, ARPHRD_LOOPBACK):
            raise PortError(f"interface {ifname} is not an Ethernet interface (ARPHRD type {hatype})")

    def fileno(self) -> int:
        return self._sock.fileno()

    def recv(self) -> bytes | None:
        """The next frame received on the interface, or None when none is waiting.

        The frame has its 802.1Q tag back in place; copies of frames sent on the interface are
        skipped, as are frames bigger than :data:`MAX_FRAME`.
        """
        counters = self.counters
        while True:
            try:
                nbytes, ancdata, flags, address = self._sock.recvmsg_into([self._view], _ANCILLARY_SPACE)
            except BlockingIOError:
                return None
            except OSError as err:
                # An error queued on the socket (e.g. ENETDOWN when the link went down) is
                # reported once by the kernel; note it and carry on.
                counters.rx_errors += 1
                self.last_error = err
                return None
            if address[2] == PACKET_OUTGOING:
                counters.rx_outgoing_skipped += 1
                continue
            if flags & _MSG_TRUNC:
                counters.rx_truncated += 1
                continue
            frame = bytes(self._view[:nbytes])
            for level, kind, payload in ancdata:
                if level != SOL_PACKET or kind != PACKET_AUXDATA or len(payload) < _AUXDATA.size:
                    continue
                status, _len, _snaplen, _mac, _net, tci, tpid = _AUXDATA.unpack_from(payload)
                if status & TP_STATUS_CSUMNOTREADY:
                    counters.rx_csum_not_ready += 1
                if status & TP_STATUS_VLAN_VALID and nbytes >= _MAC_PAIR_LEN:
                    if not status & TP_STATUS_VLAN_TPID_VALID or tpid == 0:
                        tpid = ETH_P_8021Q
                    frame = frame[:_MAC_PAIR_LEN] + _VLAN_TAG.pack(tpid, tci) + frame[_MAC_PAIR_LEN:]
                    counters.rx_vlan_restored += 1
            counters.rx_frames += 1
            counters.rx_bytes += len(frame)
            return frame

    def send(self, frame: bytes) -> bool:
        """Transmit one frame as it is; False (and counted in ``tx_errors``) when the kernel refuses.

        A full send buffer, a link that is down or a frame bigger than the MTU all make the kernel
        refuse; the frame is then lost, as on a real port.
        """
        try:
            self._sock.send(frame)
        except OSError as err:
            self.counters.tx_errors += 1
            self.last_error = err
            return False
        self.counters.tx_frames += 1
        self.counters.tx_bytes += len(frame)
        return True

    def update_kernel_drops(self) -> int:
        """Add the kernel's receive-buffer drops since the last call to ``rx_kernel_drops``; return it."""
        try:
            stats = self._sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, _TPACKET_STATS.size)
        except OSError:
            return self.counters.rx_kernel_drops
        _packets, drops = _TPACKET_STATS.unpack(stats)
        self.counters.rx_kernel_drops += drops
        return self.counters.rx_kernel_drops

    def close(self) -> None:
        self._sock.close()

    def __repr__(self) -> str:
        return f"RawPort({self.ifname!r})"


def _set_buffer(sock: socket.socket, option: int, force_option: int, size: int) -> None:
    """Set a socket buffer size, past ``net.core.[rw]mem_max`` when allowed (as root)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, force_option, size)
    except OSError:
        with contextlib.suppress(OSError):  # else keep the default size; the port still works
            sock.setsockopt(socket.SOL_SOCKET, option, size)
