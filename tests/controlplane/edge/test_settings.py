"""The config's ``[edge]`` section and per-switch edge keys, and the settings built from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from controlplane.config import ConfigError, EdgeConfig, load_config
from controlplane.edge.entries import MeterRates
from controlplane.edge.settings import EdgeSettings, SwitchProfile

SWITCH = '[[switches]]\nname = "s1"\ngrpc_addr = "127.0.0.1:9559"\n'


def test_defaults() -> None:
    config = load_config(None)
    assert config.edge == EdgeConfig()
    settings = EdgeSettings.from_config(config.edge)
    assert settings == EdgeSettings()  # the embedded example states the defaults
    assert settings.request_meter == MeterRates(10, 10, 10, 10)
    assert settings.gateways_v6 == (0xFE80 << 112 | 1,)


def test_edge_section_and_switch_ports(tmp_path: Path) -> None:
    config = load_config(_write(tmp_path, f"""
[edge]
program = "edge2"
build_dir = "/opt/p4edge/build"
gateways_v6 = ["2001:db8:100::1"]
gateways_v4 = ["192.168.20.1"]
idle_timeout = 2.5
request_rate = 0
proxy_devices_on_uplinks = false
endpoints_on_link = true
instruction_port = 7000
digest_ack_timeout = 0.5

{SWITCH}cpu_port = 64
access_ports = [1, 2]
uplink_ports = [3]
port_macs = {{ "1" = "02:AA:00:00:00:01" }}
"""))
    edge = config.edge
    assert (edge.program, edge.build_dir, edge.gateways_v6, edge.gateways_v4) == (
        "edge2", Path("/opt/p4edge/build"), ("2001:db8:100::1",), ("192.168.20.1",)
    )
    settings = EdgeSettings.from_config(edge)
    assert settings.idle_timeout_ns == 2_500_000_000
    assert settings.request_meter is None  # rate 0: no limit
    assert settings.gateways_v4 == (0xC0A8_1401,)
    assert settings.digest.ack_timeout_ns == 500_000_000
    assert (settings.proxy_devices_on_uplinks, settings.endpoints_on_link, settings.instruction_port) == (False, True, 7000)
    (switch,) = config.switches
    profile = SwitchProfile.from_config(switch, settings)
    assert (profile.cpu_port, profile.access_ports, profile.uplink_ports) == (64, frozenset({1, 2}), frozenset({3}))
    assert profile.port_mac(1) == 0x02AA_0000_0001
    assert profile.port_mac(2) == 0x02ED_0100_0002  # device id 1 (the default), port 2


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[edge]\ngateways_v6 = ["10.0.0.1"]\n', "edge.gateways_v6: '10.0.0.1' is not an IPv6 address"),
        ("[edge]\nidle_timeout = -1\n", "edge.idle_timeout: must be at least 0"),
        ('[edge]\nproxy_devices_on_uplinks = "yes"\n', "edge.proxy_devices_on_uplinks: must be true or false"),
        ('[edge]\nprogram = "../x"\n', "edge.program: must be a program name"),
        ("[edge]\ninstruction_port = 0\n", "edge.instruction_port: must be in 1..65535"),
        ("[edge]\ncolour = 1\n", "edge.colour: unknown key"),
        (SWITCH + "access_ports = [1, 600]\n", "switches[0].access_ports: must be a list of integers 0..511"),
        (SWITCH + "access_ports = [1]\nuplink_ports = [1]\n", "switches[0].uplink_ports: port 1 is also listed"),
        (SWITCH + 'port_macs = { "1" = "nope" }\n', "switches[0].port_macs.1: must be a MAC"),
        (SWITCH + 'port_macs = { "x" = "02:00:00:00:00:01" }\n', "switches[0].port_macs.x: the key must be a port"),
    ],
)
def test_errors_name_the_key(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(_write(tmp_path, text))
    assert message in str(caught.value)
