"""Group instructions over REST reach exactly the group's members."""

from __future__ import annotations

from tests.e2e.harness import EdgeWorld, unique

INSTRUCTION_PORT = 5683
DEVICES = {"h1": "2001:db8:a::1", "h2": "2001:db8:a::2", "h3": "2001:db8:b::3", "h4": "2001:db8:b::4"}


def test_an_instruction_reaches_exactly_the_members(world: EdgeWorld) -> None:
    receivers = {h: world.listen(h, address, INSTRUCTION_PORT) for h, address in DEVICES.items()}
    try:
        acme = unique("acme: lights off")
        receipt = world.ok("POST", "/v1/groups/acme-all/instructions", json={"payload": acme.decode()})
        assert receipt["members"] == 2
        assert receivers["h1"].until(acme) == [acme]
        assert receivers["h2"].until(acme) == [acme]
        # Then the other customer's group: its members get only their own instruction.
        globex = unique("globex: read meters")
        world.ok("POST", "/v1/groups/globex-all/instructions", json={"payload": globex.decode()})
        assert receivers["h3"].until(globex) == [globex]
        assert receivers["h4"].until(globex) == [globex]  # on VLAN 100
        assert receivers["h1"].drain() == [] and receivers["h2"].drain() == []
    finally:
        for rx in receivers.values():
            rx.close()


def test_an_instruction_follows_membership_changes(world: EdgeWorld) -> None:
    world.ok("DELETE", "/v1/groups/acme-all/members/acme-sensor-2")
    try:
        with (
            world.listen("h1", DEVICES["h1"], INSTRUCTION_PORT) as h1,
            world.listen("h2", DEVICES["h2"], INSTRUCTION_PORT) as h2,
        ):
            only_h1 = unique("acme without h2")
            assert (
                world.ok("POST", "/v1/groups/acme-all/instructions", json={"payload": only_h1.decode()})[
                    "members"
                ]
                == 1
            )
            assert h1.until(only_h1) == [only_h1]
            world.ok("POST", "/v1/groups/acme-all/members", json={"members": ["acme-sensor-2"]})
            both = unique("acme with h2 again")
            world.ok("POST", "/v1/groups/acme-all/instructions", json={"payload": both.decode()})
            assert h2.until(both) == [both]  # the earlier one never came
            assert h1.until(both) == [both]
    finally:
        world.api("POST", "/v1/groups/acme-all/members", json={"members": ["acme-sensor-2"]})
