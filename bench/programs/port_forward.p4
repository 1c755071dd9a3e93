/* Port forwarding for bench/port_pps.py: port 1 <-> port 2, everything else dropped.
 * The forwarding table has const entries, so no control plane is needed. */
#include <core.p4>
#include <v1model.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

struct headers_t {
    ethernet_t ethernet;
}

struct metadata_t {}

parser BenchParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t std) {
    state start {
        pkt.extract(hdr.ethernet);
        transition accept;
    }
}

control BenchVerify(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control BenchIngress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) {
    action send(bit<9> port) {
        std.egress_spec = port;
    }
    action drop() {
        mark_to_drop(std);
    }
    table forward {
        key = { std.ingress_port : exact; }
        actions = { send; drop; }
        const entries = {
            1 : send(2);
            2 : send(1);
        }
        const default_action = drop();
    }
    apply {
        forward.apply();
    }
}

control BenchEgress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) {
    apply { }
}

control BenchCompute(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control BenchDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
    }
}

V1Switch(BenchParser(), BenchVerify(), BenchIngress(), BenchEgress(), BenchCompute(),
         BenchDeparser()) main;
