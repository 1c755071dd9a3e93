"""Send or receive UDP datagrams, for trying the demo from inside host namespaces.

::

    python -m topo.demo.udp listen 2001:db8:100::11 7000 [--count 1] [--timeout 30]
    python -m topo.demo.udp send 2001:db8:100::11 7000 "hello" [--source 2001:db8:a::1]

``listen`` prints one line per datagram (``from [SOURCE]:PORT: PAYLOAD``) and exits after
``--count`` datagrams, or with status 1 when ``--timeout`` seconds pass without one. IPv4 and
IPv6 addresses both work; ``::`` or ``0.0.0.0`` listens on every address.
"""

from __future__ import annotations

import argparse
import ipaddress
import socket
import sys
import time
from collections.abc import Sequence


def _family(address: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ipaddress.ip_address(address).version == 6 else socket.AF_INET


def listen(address: str, port: int, *, count: int, timeout: float) -> int:
    with socket.socket(_family(address), socket.SOCK_DGRAM) as sock:
        sock.bind((address, port))
        print(f"listening on [{address}]:{port}", flush=True)
        deadline = time.monotonic() + timeout
        received = 0
        while count <= 0 or received < count:
            left = deadline - time.monotonic()
            if left <= 0:
                print(f"nothing more arrived in {timeout:g} s", flush=True)
                return 0 if received else 1
            sock.settimeout(left)
            try:
                payload, sender = sock.recvfrom(65535)
            except TimeoutError:
                continue
            received += 1
            text = payload.decode("utf-8", errors="backslashreplace")
            print(f"from [{sender[0]}]:{sender[1]}: {text}", flush=True)
            deadline = time.monotonic() + timeout
    return 0


def send(address: str, port: int, message: str, *, source: str | None) -> int:
    with socket.socket(_family(address), socket.SOCK_DGRAM) as sock:
        if source is not None:
            sock.bind((source, 0))
        sock.sendto(message.encode(), (address, port))
    print(f"sent {len(message.encode())} bytes to [{address}]:{port}" + (f" from {source}" if source else ""))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m topo.demo.udp", description="Send or receive UDP datagrams."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_listen = sub.add_parser("listen", help="print the datagrams that arrive")
    p_listen.add_argument("address")
    p_listen.add_argument("port", type=int)
    p_listen.add_argument("--count", type=int, default=1, help="exit after this many (0: never)")
    p_listen.add_argument("--timeout", type=float, default=30.0, help="seconds to wait for each one")
    p_send = sub.add_parser("send", help="send one datagram")
    p_send.add_argument("address")
    p_send.add_argument("port", type=int)
    p_send.add_argument("message")
    p_send.add_argument("--source", help="the source address (one of this host's)")
    args = parser.parse_args(argv)
    try:
        if args.command == "listen":
            return listen(args.address, args.port, count=args.count, timeout=args.timeout)
        return send(args.address, args.port, args.message, source=args.source)
    except (OSError, ValueError) as e:
        print(f"udp: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
