"""Devices and their virtual endpoints: admitted traffic flows both ways, the rest is dropped.

Every check that a packet must NOT arrive is followed by one that must, on the same receiver, so
a slow switch cannot pass a negative check by accident."""

from __future__ import annotations

from tests.e2e.harness import EdgeWorld, poll, unique

H1, H2, H4 = "2001:db8:a::1", "2001:db8:a::2", "2001:db8:b::4"
H3 = "2001:db8:b::3"
EP1, EP2, EP3, EP4 = "2001:db8:100::11", "2001:db8:100::12", "2001:db8:200::13", "2001:db8:200::14"


def test_devices_reach_their_endpoints_and_back(world: EdgeWorld) -> None:
    with world.listen("vpc1", EP1, 7101) as at_ep1, world.listen("vpc2", EP4, 7101) as at_ep4:
        hello = unique("h1 up")
        world.send("h1", H1, EP1, 7101, hello)
        assert at_ep1.until(hello) == [hello]
        tagged = unique("h4 up")  # h4 is on VLAN 100 of port 4
        world.send("h4", H4, EP4, 7101, tagged)
        assert at_ep4.until(tagged) == [tagged]
    with world.listen("h1", H1, 7102) as at_h1, world.listen("h4", H4, 7102) as at_h4:
        down = unique("to h1")
        world.send("vpc1", EP1, H1, 7102, down)
        assert at_h1.until(down) == [down]
        down_tagged = unique("to h4")
        world.send("vpc2", EP4, H4, 7102, down_tagged)
        assert at_h4.until(down_tagged) == [down_tagged]


def test_another_customers_endpoint_is_out_of_reach(world: EdgeWorld) -> None:
    with world.listen("vpc2", EP3, 7103) as at_ep3:
        sneaky = unique("acme to globex")
        world.send("h1", H1, EP3, 7103, sneaky)  # acme's device, globex's endpoint
        own = unique("globex to globex")
        world.send("h3", H3, EP3, 7103, own)
        assert at_ep3.until(own) == [own]
        assert sneaky not in at_ep3.drain()
    with world.listen("vpc1", EP2, 7104) as at_ep2:
        other = unique("h1 to h2's endpoint")
        world.send("h1", H1, EP2, 7104, other)  # another device's endpoint, even of the same customer
        own = unique("h2 to its endpoint")
        world.send("h2", H2, EP2, 7104, own)
        assert at_ep2.until(own) == [own]
        assert other not in at_ep2.drain()


def test_a_deleted_device_is_dropped(world: EdgeWorld) -> None:
    device = world.ok("GET", "/v1/devices/acme-sensor-2")
    body = {k: device[k] for k in ("device_id", "customer", "endpoint", "addresses", "access_port", "groups")}
    world.ok("DELETE", "/v1/devices/acme-sensor-2")
    poll(lambda: H2 not in world.admitted_v6(), "the switch drops acme-sensor-2's admission entry")
    try:
        with world.listen("vpc1", EP2, 7105) as at_ep2, world.listen("vpc1", EP1, 7105) as at_ep1:
            gone = unique("from a deleted device")
            world.send("h2", H2, EP2, 7105, gone)
            alive = unique("from h1")
            world.send("h1", H1, EP1, 7105, alive)  # the same switch, still forwarding
            assert at_ep1.until(alive) == [alive]
            assert at_ep2.drain() == []
    finally:
        world.ok("POST", "/v1/devices", json=body)
    with world.listen("vpc1", EP2, 7106) as at_ep2:
        world.send_until_received("h2", H2, at_ep2, EP2, "re-registered h2")
