"""A hand-written P4Info shared by the STF resolution and runner tests."""

from __future__ import annotations

from typing import Any

import pytest
from finsy.proto import p4i
from google.protobuf import text_format  # type: ignore[import-untyped]

from softswitch.stf.schema import StfSchema, schema_from_p4info

# Match types: EXACT 2, LPM 3, TERNARY 4, RANGE 5, OPTIONAL 6.
P4INFO_TEXT = """
tables {
  preamble { id: 1 name: "ingress.t_exact" }
  match_fields { id: 1 name: "hdr.eth.dst" bitwidth: 48 match_type: EXACT }
  match_fields { id: 2 name: "meta.port" bitwidth: 9 match_type: EXACT }
  action_refs { id: 101 }
  action_refs { id: 199 }
}
tables {
  preamble { id: 2 name: "egress.t_exact" }
  match_fields { id: 1 name: "meta.port" bitwidth: 9 match_type: EXACT }
  action_refs { id: 199 }
}
tables {
  preamble { id: 3 name: "ingress.acl" }
  match_fields { id: 1 name: "hdr.ipv4.src" bitwidth: 32 match_type: TERNARY }
  match_fields { id: 2 name: "hdr.vlan.$valid$" bitwidth: 1 match_type: EXACT }
  match_fields { id: 3 name: "hdr.stack[0].f" bitwidth: 8 match_type: TERNARY }
  match_fields { id: 4 name: "meta.flag$" bitwidth: 1 match_type: EXACT }
  action_refs { id: 102 }
  action_refs { id: 103 }
  action_refs { id: 104 }
  action_refs { id: 199 }
}
tables {
  preamble { id: 4 name: "ingress.routes" }
  match_fields { id: 1 name: "hdr.ipv4.dst" bitwidth: 32 match_type: LPM }
  match_fields { id: 2 name: "meta.vrf" bitwidth: 12 match_type: EXACT }
  action_refs { id: 105 }
}
tables {
  preamble { id: 5 name: "ingress.ranged" }
  match_fields { id: 1 name: "meta.x" bitwidth: 8 match_type: RANGE }
  action_refs { id: 199 }
}
tables {
  preamble { id: 6 name: "ingress.opt" }
  match_fields { id: 1 name: "meta.o" bitwidth: 8 match_type: OPTIONAL }
  match_fields { id: 2 name: "$valid$" bitwidth: 1 match_type: EXACT }
  action_refs { id: 199 }
}
tables {
  preamble { id: 7 name: "ingress.prof" }
  match_fields { id: 1 name: "meta.port" bitwidth: 9 match_type: EXACT }
  action_refs { id: 101 }
  implementation_id: 900
}
actions { preamble { id: 101 name: "ingress.fwd" } params { id: 1 name: "port" bitwidth: 9 } }
actions { preamble { id: 102 name: "ingress.set_a" } params { id: 1 name: "v" bitwidth: 8 } }
actions { preamble { id: 103 name: "ingress.reset_a" } }
actions { preamble { id: 104 name: "ingress.mark" }
          params { id: 1 name: "dscp" bitwidth: 6 } params { id: 2 name: "ecn" bitwidth: 2 } }
actions { preamble { id: 105 name: "ingress.set_nh" } params { id: 1 name: "nh" bitwidth: 16 } }
actions { preamble { id: 199 name: "NoAction" } }
counters { preamble { id: 301 name: "ingress.pkt_counter" } size: 8 }
registers { preamble { id: 401 name: "ingress.reg" } size: 8 }
registers { preamble { id: 402 name: "egress.reg" } size: 8 }
registers { preamble { id: 403 name: "ingress.only_reg" } size: 8 }
meters { preamble { id: 501 name: "ingress.m" } size: 4 }
"""


def make_p4info() -> Any:
    return text_format.Parse(P4INFO_TEXT, p4i.P4Info())


@pytest.fixture
def p4info() -> Any:
    return make_p4info()


@pytest.fixture
def schema(p4info: Any) -> StfSchema:
    return schema_from_p4info(p4info)
