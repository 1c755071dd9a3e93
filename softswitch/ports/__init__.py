"""Switch ports: Linux interfaces through AF_PACKET sockets, ``-i PORT@IFNAME`` maps, pcap captures."""

from softswitch.ports.pcap import PcapError, PcapWriter, read_pcap
from softswitch.ports.portmap import PortSpecError, parse_port_specs
from softswitch.ports.rawsock import PortError, RawPort

__all__ = [
    "PcapError",
    "PcapWriter",
    "PortError",
    "PortSpecError",
    "RawPort",
    "parse_port_specs",
    "read_pcap",
]
