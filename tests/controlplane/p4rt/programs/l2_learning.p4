// Test program for the controller's P4Runtime client layer (controlplane/p4rt).
//
// A small learning switch:
// * smac: exact on the source MAC, with idle timeouts. A miss sends a digest (learn_t).
// * dmac: exact on the destination MAC: forward to a port, flood to a multicast group, mirror
//   through a clone session, or drop.
// * Controller headers: a packet-out whose egress_port is non-zero leaves on that port as is;
//   with egress_port 0 it goes through dmac like any received packet. Everything sent to the CPU
//   port gets a packet_in header with the ingress port and the replica id (egress_rid).
// It uses standard v1model only, so real p4c compiles it unchanged.
#include <core.p4>
#include <v1model.p4>

const bit<9> CPU_PORT = 64;

@controller_header("packet_out")
header packet_out_h {
    bit<9> egress_port;
    bit<7> reserved;
}

@controller_header("packet_in")
header packet_in_h {
    bit<9> ingress_port;
    bit<7> replica;
}

header ethernet_h {
    bit<48> dst;
    bit<48> src;
    bit<16> ether_type;
}

struct headers_t {
    packet_out_h packet_out;
    packet_in_h packet_in;
    ethernet_h eth;
}

struct learn_t {
    bit<48> src;
    bit<9> port;
}

struct metadata_t {
    bit<9> from_port;
}

parser L2Parser(packet_in packet, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t standard_metadata) {
    state start {
        transition select(standard_metadata.ingress_port) {
            CPU_PORT: parse_packet_out;
            default: parse_ethernet;
        }
    }
    state parse_packet_out {
        packet.extract(hdr.packet_out);
        transition parse_ethernet;
    }
    state parse_ethernet {
        packet.extract(hdr.eth);
        transition accept;
    }
}

control L2Verify(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control L2Ingress(inout headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t standard_metadata) {
    action learn() {
        digest<learn_t>(1, {hdr.eth.src, standard_metadata.ingress_port});
    }
    table smac {
        key = { hdr.eth.src : exact; }
        actions = { learn; NoAction; }
        default_action = learn();
        support_timeout = true;
        size = 4096;
    }

    action fwd(bit<9> port) {
        standard_metadata.egress_spec = port;
    }
    action flood(bit<16> group) {
        standard_metadata.mcast_grp = group;
    }
    action mirror(bit<32> session) {
        clone(CloneType.I2E, session);
    }
    action drop() {
        mark_to_drop(standard_metadata);
    }
    table dmac {
        key = { hdr.eth.dst : exact; }
        actions = { fwd; flood; mirror; drop; NoAction; }
        default_action = NoAction();
        size = 16384;
    }

    apply {
        smac.apply();
        if (hdr.packet_out.isValid() && hdr.packet_out.egress_port != 0) {
            standard_metadata.egress_spec = hdr.packet_out.egress_port;
        } else {
            dmac.apply();
        }
        hdr.packet_out.setInvalid();
    }
}

control L2Egress(inout headers_t hdr, inout metadata_t meta,
                 inout standard_metadata_t standard_metadata) {
    apply {
        if (standard_metadata.egress_port == CPU_PORT) {
            hdr.packet_in.setValid();
            hdr.packet_in.ingress_port = standard_metadata.ingress_port;
            hdr.packet_in.replica = (bit<7>) standard_metadata.egress_rid;
        }
    }
}

control L2Compute(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control L2Deparser(packet_out packet, in headers_t hdr) {
    apply {
        packet.emit(hdr.packet_in);
        packet.emit(hdr.eth);
    }
}

V1Switch(L2Parser(), L2Verify(), L2Ingress(), L2Egress(), L2Compute(), L2Deparser()) main;
