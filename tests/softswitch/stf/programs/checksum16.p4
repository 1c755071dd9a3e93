// The deprecated v1model Checksum16 extern: get() is the Internet checksum of its data.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<16> a;
    bit<16> b;
    bit<8>  c;
    bit<16> csum;
    bit<16> csum2;
}

header o_t {
    bit<16> x;
}

struct headers_t {
    h_t h;
    o_t o;
}

struct meta_t {}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition select(hdr.h.c) {
            1: parse_o;
            default: accept;
        }
    }
    state parse_o {
        pkt.extract(hdr.o);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    Checksum16() ck;
    apply {
        hdr.h.csum = ck.get({hdr.h.a, hdr.h.b, hdr.h.c});
        hdr.h.csum2 = ck.get(hdr.o);
        sm.egress_spec = 1;
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.h);
        pkt.emit(hdr.o);
    }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
