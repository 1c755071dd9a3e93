// Several @field_list indices on user metadata: a field may be in more than one list, a struct
// field carries all its members; the last resubmit call of a pass picks the list. p4c flattens
// nested structs, handing a struct field's annotations to its members ahead of their own, and
// BMv2's back-end reads the first @field_list only: m2.y is in list 2, not 1; m3.z is in list 1.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> op;
    bit<8> a;
    bit<8> b;
    bit<8> c;
    bit<8> d;
    bit<8> x;
    bit<8> y;
    bit<8> z;
}

struct headers_t {
    h_t h;
}

struct nested_t {
    bit<8> x;
}

struct inner1_t {
    @field_list(1)
    bit<8> y;
}

struct inner2_t {
    @field_list(1)
    bit<8> z;
}

struct meta_t {
    @field_list(1)
    bit<8> a;
    @field_list(1, 2)
    bit<8> b;
    @field_list(2)
    bit<8> c;
    bit<8> d;
    @field_list(2)
    nested_t n;
    @field_list(2)
    inner1_t m2;
    inner2_t m3;
}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        if (sm.instance_type == 0) {
            m.a = 0x11;
            m.b = 0x22;
            m.c = 0x33;
            m.d = 0x44;
            m.n.x = 0x55;
            m.m2.y = 0x66;
            m.m3.z = 0x77;
            if (hdr.h.op == 1) {
                resubmit_preserving_field_list(1);
            } else if (hdr.h.op == 2) {
                resubmit_preserving_field_list(2);
            } else {
                resubmit_preserving_field_list(1);
                resubmit_preserving_field_list(2);
            }
        } else {
            hdr.h.a = m.a;
            hdr.h.b = m.b;
            hdr.h.c = m.c;
            hdr.h.d = m.d;
            hdr.h.x = m.n.x;
            hdr.h.y = m.m2.y;
            hdr.h.z = m.m3.z;
            sm.egress_spec = 1;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply { pkt.emit(hdr.h); }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
