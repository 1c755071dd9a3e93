/* Header validity: setValid zeroes only an invalid header, setInvalid, reads of invalid headers,
 * header unions (one valid member), stacks (push_front, pop_front, constant and run-time indices). */
#include <core.p4>
#include <v1model.p4>

header op_t { bit<8> op; bit<8> arg; }
header a_t { bit<8> x; bit<8> y; }
header b_t { bit<16> z; }
header_union ab_t { a_t a; b_t b; }
header item_t { bit<8> v; }
header res_t { bit<8> r0; bit<8> r1; }
struct headers_t {
    op_t op;
    a_t first;
    a_t extra;
    ab_t u;
    item_t[3] items;
    res_t res;
}
struct meta_t { }

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.op);
        transition select(hdr.op.op) {
            1: parse_first;
            2: parse_union_a;
            3: parse_items;
            default: accept;
        }
    }
    state parse_first { pkt.extract(hdr.first); transition accept; }
    state parse_union_a { pkt.extract(hdr.u.a); transition accept; }
    state parse_items {
        pkt.extract(hdr.items.next);
        transition select(hdr.items.last.v) {
            0: accept;
            default: parse_items;
        }
    }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        if (hdr.op.op == 1) {
            // a valid header keeps its fields on setValid
            hdr.first.setValid();
            // a write to an invalid header is stored but the header stays invalid ...
            hdr.extra.x = 5;
            hdr.res.setValid();
            hdr.res.r0 = hdr.extra.x;
            hdr.res.r1 = hdr.extra.isValid() ? 8w1 : 8w0;
            // ... and setValid on it zeroes its fields
            hdr.extra.setValid();
            if (hdr.op.arg == 1) {
                hdr.first.setInvalid();
            }
        } else if (hdr.op.op == 2) {
            hdr.res.setValid();
            hdr.res.r0 = hdr.u.isValid() ? 8w1 : 8w0;
            if (hdr.op.arg == 1) {
                // making b valid invalidates a
                hdr.u.b.setValid();
                hdr.u.b.z = 0xBEEF;
            }
            hdr.res.r1 = hdr.u.a.isValid() ? 8w1 : 8w0;
        } else if (hdr.op.op == 3) {
            if (hdr.op.arg == 1) {
                hdr.items.push_front(1);
                hdr.items[0].setValid();
                hdr.items[0].v = 9;
            } else if (hdr.op.arg == 2) {
                hdr.items.pop_front(2);
            } else if (hdr.op.arg == 3) {
                hdr.items[hdr.items[0].v & 1].v = 0x77;
            }
        }
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.op);
        pkt.emit(hdr.first);
        pkt.emit(hdr.extra);
        pkt.emit(hdr.u);
        pkt.emit(hdr.items);
        pkt.emit(hdr.res);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
