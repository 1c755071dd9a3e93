// Less common ways to pass things around: an extern instance and a constant given to a
// sub-control's apply as directionless arguments; members and elements of aggregates returned by
// functions (f().h, f()[1], f().h.isValid()); hash() over an empty list.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> op;
    bit<8> r1;
    bit<8> r2;
    bit<8> r3;
}

header e_t {
    bit<8> v;
}

header_union u_t {
    h_t h;
    e_t e;
}

struct pair_t {
    e_t    e;
    bit<8> z;
}

struct headers_t {
    h_t h;
}

struct meta_t {}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control Bump(inout bit<8> out_v, register<bit<8>> reg, int step) {
    apply {
        bit<8> v;
        reg.read(v, 0);
        v = v + step;
        reg.write(0, v);
        out_v = v;
    }
}

pair_t make_pair(in bit<8> x) {
    pair_t p;
    p.e.setValid();
    p.e.v = x;
    p.z = x + 1;
    return p;
}

u_t make_union(in bit<8> x) {
    u_t u;
    u.e.setValid();
    u.e.v = x;
    return u;
}

e_t[2] make_stack(in bit<8> x) {
    e_t[2] s;
    s[1].setValid();
    s[1].v = x;
    return s;
}

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    register<bit<8>>(1) counter_reg;
    Bump() bump;
    apply {
        sm.egress_spec = 1;
        if (hdr.h.op == 1) {
            bump.apply(hdr.h.r1, counter_reg, 3);
        } else if (hdr.h.op == 2) {
            hdr.h.r1 = make_pair(hdr.h.r1).e.v;
            hdr.h.r2 = make_stack(hdr.h.r2)[1].v;
            if (make_union(7).e.isValid() && !make_union(7).h.isValid() && !make_stack(1)[0].isValid()) {
                hdr.h.r3 = make_pair(hdr.h.r3).z;
            }
        } else if (hdr.h.op == 3) {
            hash(hdr.h.r1, HashAlgorithm.crc16, 8w5, { }, 16w100);
            hash(hdr.h.r2, HashAlgorithm.csum16, 8w0, { }, 16w0x100);
        }
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply { pkt.emit(hdr.h); }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
