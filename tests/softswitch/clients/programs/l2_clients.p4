// L2 forwarding for the real-client tests (p4runtime-shell, finsy, PTF): an exact table on the
// destination MAC, multicast, I2E clone, packet-in/out on CPU port 255, and a table with idle
// timeouts keyed on the source MAC.
#include <core.p4>
#include <v1model.p4>

#define CPU_PORT 255

// A PacketOut goes straight out of `egress_port`, or through the tables when `use_tables` is 1.
@controller_header("packet_out")
header packet_out_t {
    bit<9> egress_port;
    bit<1> use_tables;
    bit<6> pad;
}

// Every frame sent to the CPU port: where it came in, which replica it is (egress_rid) and what
// kind of instance (standard_metadata.instance_type: 0 normal, 1 ingress clone, 5 replica).
@controller_header("packet_in")
header packet_in_t {
    bit<9> ingress_port;
    bit<7> pad;
    bit<16> replica;
    bit<8> instance_type;
}

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

struct headers_t {
    packet_out_t packet_out;
    packet_in_t packet_in;
    ethernet_t ethernet;
}

struct metadata_t { }

parser L2Parser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                inout standard_metadata_t std) {
    state start {
        transition select(std.ingress_port) {
            CPU_PORT: parse_packet_out;
            default: parse_ethernet;
        }
    }
    state parse_packet_out {
        pkt.extract(hdr.packet_out);
        transition parse_ethernet;
    }
    state parse_ethernet {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control L2Verify(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control L2Ingress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) {
    action drop() {
        mark_to_drop(std);
    }
    action forward(bit<9> port) {
        std.egress_spec = port;
    }
    action flood(bit<16> group) {
        std.mcast_grp = group;
    }
    action to_cpu() {
        std.egress_spec = CPU_PORT;
    }
    action mirror(bit<9> port, bit<32> session) {
        std.egress_spec = port;
        clone(CloneType.I2E, session);
    }
    table l2 {
        key = { hdr.ethernet.dst_addr : exact; }
        actions = { forward; flood; to_cpu; mirror; drop; }
        default_action = drop();
        size = 1024;
    }
    table hosts {
        key = { hdr.ethernet.src_addr : exact; }
        actions = { NoAction; }
        support_timeout = true;
        size = 1024;
    }
    apply {
        if (hdr.packet_out.isValid()) {
            if (hdr.packet_out.use_tables == 0) {
                std.egress_spec = hdr.packet_out.egress_port;
                hdr.packet_out.setInvalid();
                return;
            }
            hdr.packet_out.setInvalid();
        }
        hosts.apply();
        l2.apply();
    }
}

control L2Egress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) {
    apply {
        if (std.egress_port == CPU_PORT) {
            hdr.packet_in.setValid();
            hdr.packet_in.ingress_port = std.ingress_port;
            hdr.packet_in.pad = 0;
            hdr.packet_in.replica = std.egress_rid;
            hdr.packet_in.instance_type = (bit<8>) std.instance_type;
        }
    }
}

control L2Compute(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control L2Deparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.packet_in);
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(L2Parser(), L2Verify(), L2Ingress(), L2Egress(), L2Compute(), L2Deparser()) main;
