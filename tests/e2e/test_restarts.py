"""Restarts: the controller reconciles the switch with the registry; a restarted switch gets its
pipeline and entries back. (This module runs last: it restarts the shared world's processes.)"""

from __future__ import annotations

from controlplane.api.app import open_registry
from controlplane.config import load_config
from tests.e2e.harness import EdgeWorld, poll, unique
from topo.runner import start_process, stop_process

H1, H2 = "2001:db8:a::1", "2001:db8:a::2"
EP1, EP2 = "2001:db8:100::11", "2001:db8:100::12"


def test_a_restarted_controller_reconciles_and_traffic_keeps_flowing(world: EdgeWorld) -> None:
    stop_process(world.state, "controller")
    with world.listen("vpc1", EP1, 7301) as at_ep1:
        while_down = unique("controller down")
        world.send("h1", H1, EP1, 7301, while_down)  # the switch keeps its entries
        assert at_ep1.until(while_down) == [while_down]

    # While it is down, the registry changes behind its back: acme-sensor-2 goes.
    assert world.state.controller_config is not None
    registry = open_registry(load_config(world.state.controller_config))
    try:
        device = registry.get_device("acme-sensor-2")
        registry.remove_device("acme-sensor-2", origin="e2e test")
    finally:
        registry.close()
    assert H2 in world.admitted_v6()  # the switch still has it

    start_process(world.state, "controller")
    poll(world.switch_ready, "the restarted controller is primary again")
    poll(lambda: H2 not in world.admitted_v6(), "the controller reconciles acme-sensor-2's entries away")
    with world.listen("vpc1", EP2, 7302) as at_ep2, world.listen("vpc1", EP1, 7302) as at_ep1:
        stale = unique("reconciled away")
        world.send("h2", H2, EP2, 7302, stale)
        after = unique("controller back")
        world.send("h1", H1, EP1, 7302, after)
        assert at_ep1.until(after) == [after]
        assert at_ep2.drain() == []

    body = {"device_id": device.device_id, "customer": device.customer, "endpoint": device.endpoint,
            "addresses": list(device.addresses), "access_port": device.access_port, "groups": ["acme-all"]}  # fmt: skip
    world.ok("POST", "/v1/devices", json=body)
    with world.listen("vpc1", EP2, 7303) as at_ep2:
        world.send_until_received("h2", H2, at_ep2, EP2, "registered again")


def test_a_restarted_switch_gets_its_pipeline_and_entries_back(world: EdgeWorld) -> None:
    stop_process(world.state, "s1")
    start_process(world.state, "s1")  # starts empty (--no-p4)
    with world.listen("vpc1", EP1, 7304) as at_ep1, world.listen("h4", "2001:db8:b::4", 7305) as at_h4:
        world.send_until_received("h1", H1, at_ep1, EP1, "after switch restart")
        world.send_until_received(
            "vpc2", "2001:db8:200::14", at_h4, "2001:db8:b::4", "downstream after restart"
        )
    poll(world.switch_ready, "the switch reports connected with a pipeline")
    assert {H1, H2, "2001:db8:b::3", "2001:db8:b::4"} <= world.admitted_v6()
