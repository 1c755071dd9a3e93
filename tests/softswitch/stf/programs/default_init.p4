// Default initializers `...` (P4-16 1.2.4): scalars, structs and headers, alone or after some
// fields/elements.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> op;
    bit<8> a;
    bit<8> b;
    bit<8> c;
    bit<8> v;
}

header x_t {
    bit<8> p;
    bit<8> q;
}

struct S {
    bit<8> x;
    bit<8> y;
    bool   f;
}

struct headers_t {
    h_t h;
    x_t x;
}

struct meta_t {}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition select(hdr.h.v) {
            1: parse_x;
            default: accept;
        }
    }
    state parse_x {
        pkt.extract(hdr.x);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        if (hdr.h.op == 1) {
            S s = { y = 5, ... };
            bit<8> z = ...;
            hdr.h.a = s.x + z;
            hdr.h.b = s.y;
            hdr.h.c = s.f ? 8w1 : 8w2;
        } else if (hdr.h.op == 2) {
            hdr.x = { 7, ... };
        } else if (hdr.h.op == 3) {
            hdr.x = { q = 9, ... };
        } else if (hdr.h.op == 4) {
            S s2 = { 1, 2, true };
            s2 = ...;
            hdr.h.a = s2.x;
            hdr.h.b = s2.y;
            hdr.h.c = s2.f ? 8w1 : 8w2;
            hdr.x = ...;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.h);
        pkt.emit(hdr.x);
    }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
