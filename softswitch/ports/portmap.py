"""Port-to-interface maps given on the command line, as BMv2's ``-i PORT@IFNAME``.

``softswitch run -i 1@veth1 -i 2@veth3`` attaches Linux interface ``veth1`` as switch port 1 and
``veth3`` as port 2. :func:`parse_port_specs` turns the list of ``-i`` values into ``{port: ifname}``
and rejects anything ambiguous with a one-line :class:`PortSpecError`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

#: v1model port numbers are 9 bits wide (``standard_metadata.ingress_port`` is ``bit<9>``).
MAX_PORT = 511
#: Linux limits interface names to IFNAMSIZ - 1 = 15 bytes.
MAX_IFNAME_LEN = 15


class PortSpecError(ValueError):
    """A ``-i`` value that cannot be used; the message is one line, fit to show the user."""


@dataclass(frozen=True, slots=True)
class PortSpec:
    """One ``PORT@IFNAME`` value."""

    port: int
    ifname: str

    def __str__(self) -> str:
        return f"{self.port}@{self.ifname}"


def check_ifname(ifname: str) -> None:
    """Raise :class:`PortSpecError` unless ``ifname`` can name a Linux network interface."""
    if not ifname:
        raise PortSpecError("empty interface name")
    if len(ifname.encode()) > MAX_IFNAME_LEN:
        raise PortSpecError(f"interface name {ifname!r} is longer than {MAX_IFNAME_LEN} bytes")
    if ifname in (".", "..") or any(c == "/" or c == ":" or c.isspace() for c in ifname):
        raise PortSpecError(f"{ifname!r} is not a valid interface name")


def parse_port_spec(text: str) -> PortSpec:
    """Parse ``PORT@IFNAME`` (e.g. ``1@veth1``)."""
    port_text, sep, ifname = text.partition("@")
    if not sep:
        raise PortSpecError(f"bad interface spec {text!r}: expected PORT@IFNAME, e.g. 1@veth1")
    port_text = port_text.strip()
    if not port_text.isdigit() or not port_text.isascii():
        raise PortSpecError(f"bad interface spec {text!r}: port {port_text!r} is not a number")
    port = int(port_text)
    if port > MAX_PORT:
        raise PortSpecError(f"bad interface spec {text!r}: port {port} is out of range 0..{MAX_PORT}")
    try:
        check_ifname(ifname)
    except PortSpecError as err:
        raise PortSpecError(f"bad interface spec {text!r}: {err}") from None
    return PortSpec(port, ifname)


def parse_port_specs(texts: Iterable[str]) -> dict[int, str]:
    """Parse every ``-i`` value into ``{port: ifname}``.

    A port number or an interface given twice is an error: either would leave one of the two
    attachments silently unused.
    """
    ports: dict[int, str] = {}
    owners: dict[str, int] = {}
    for text in texts:
        spec = parse_port_spec(text)
        if spec.port in ports:
            raise PortSpecError(f"port {spec.port} is given twice ({ports[spec.port]} and {spec.ifname})")
        if spec.ifname in owners:
            raise PortSpecError(
                f"interface {spec.ifname} is given twice (ports {owners[spec.ifname]} and {spec.port})"
            )
        ports[spec.port] = spec.ifname
        owners[spec.ifname] = spec.port
    return ports
