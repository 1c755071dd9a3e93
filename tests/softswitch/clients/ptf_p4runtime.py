"""Typed adapter over PTF (untyped) and the base class of the P4Runtime PTF tests in ``ptf_basic/``.

The PTF tests run under the ``ptf`` command, started as against BMv2::

    ptf --test-dir tests/softswitch/clients/ptf_basic --interface 0@veth0 --interface 1@veth1 \\
        --test-params "grpcaddr='127.0.0.1:PORT';p4info='L2.p4info.txtpb';config='L2.bin'"

with the repository on PYTHONPATH. :class:`P4RuntimeTest` pushes the pipeline in ``setUp``
(SetForwardingPipelineConfig, VERIFY_AND_COMMIT, which also empties every table), so each test
starts from a clean switch; its :attr:`~P4RuntimeTest.client` is the primary controller.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import ptf
import ptf.testutils as testutils
from ptf.base_tests import BaseTest

from tests.softswitch.clients.l2_program import L2Build, push_pipeline
from tests.softswitch.p4runtime.p4rt_harness import Client, Stream

#: Each test's controller arbitrates with a higher election id than the one before, so it is primary
#: even if the previous test's stream is still being torn down.
_election_ids = itertools.count(1)


class P4RuntimeTest(BaseTest):  # type: ignore[misc]  # PTF's BaseTest is untyped
    """A PTF test with a primary P4Runtime client and a freshly pushed pipeline."""

    client: Client
    stream: Stream
    dataplane: Any

    def setUp(self) -> None:
        super().setUp()
        self.dataplane = ptf.dataplane_instance
        self.dataplane.flush()
        params = ptf_test_params()
        self.client = Client(params["grpcaddr"])
        self.stream = self.client.become_primary(next(_election_ids))
        push_pipeline(self.client, L2Build(Path(params["p4info"]), Path(params["config"])))

    def tearDown(self) -> None:
        self.client.close()
        super().tearDown()


def ptf_test_params() -> dict[str, str]:
    """The ``--test-params`` key/value pairs."""
    params = testutils.test_params_get()
    return {str(key): str(value) for key, value in params.items()}


def send_packet(test: P4RuntimeTest, port: int, frame: bytes) -> None:
    testutils.send_packet(test, port, frame)


def verify_packet(test: P4RuntimeTest, frame: bytes, port: int) -> None:
    testutils.verify_packet(test, frame, port)


def verify_packets(test: P4RuntimeTest, frame: bytes, ports: list[int]) -> None:
    """``frame`` arrives on each of ``ports``, on no other port, and nothing else arrives."""
    testutils.verify_packets(test, frame, ports)


def verify_no_other_packets(test: P4RuntimeTest) -> None:
    testutils.verify_no_other_packets(test)


def first_packet(test: P4RuntimeTest) -> tuple[int, bytes] | None:
    """The oldest packet received on any port, as (port, frame), or None after the timeout."""
    result = testutils.dp_poll(test, timeout=ptf.ptfutils.default_timeout)
    if isinstance(result, test.dataplane.PollSuccess):
        return int(result.port), bytes(result.packet)
    return None


def verify_next_is(test: P4RuntimeTest, proof: bytes, *, via: int, port: int) -> None:
    """Prove that nothing more comes out: send ``proof`` into port ``via`` (a packet the switch
    forwards to ``port``), require it to be the first packet out of the switch, then no other.

    Use it after every check that something did *not* come out (a drop, or the "no other packets"
    part of :func:`verify_packets`). The switch handles packets in order, so a slow switch cannot
    pass such a check by being late: the packet it should not have sent would come before the proof.
    """
    send_packet(test, via, proof)
    got = first_packet(test)
    test.assertIsNotNone(got, "the proof packet did not come out: cannot tell a drop from a stall")
    test.assertEqual(got, (port, proof), "a packet that should not have come out came before the proof")
    verify_no_other_packets(test)
