/* Feature test: header validity.
 *
 * Checks (P4TARGET 2, "Invalid headers", "setValid()", "Header unions"):
 *  op 1: setValid() on an invalid header makes it emitted, with every field 0 except those written;
 *  op 2: setInvalid() on a parsed header removes it from the output;
 *  op 3: setValid() on a valid header changes nothing (its parsed values stay);
 *  op 4: a write to a field of an invalid header does not make it valid (not emitted, and
 *        isValid() stays false);
 *  op 8: a field written while the header is invalid is zeroed by the later setValid();
 *  op 5: setting member b of a header union valid invalidates member a (the parser filled a);
 *  op 6: assigning a valid header to an invalid one copies the values and the validity;
 *  op 7: assigning an invalid header to a valid one makes it invalid;
 *  every op: isValid() of each header and of the union, after the op, is written to out_t, and
 *  so is h1 == h2 (equal when both are invalid, whatever their stored fields, or when both are
 *  valid with equal fields).
 *
 * Input:  in_t = op (bit<8>) | h1_t (a, b: bit<8>) | union member a (1 byte)
 * Output: out_t (flags: 1 h1, 2 h2, 4 u.a, 8 u.b, 16 u, 32 h1 == h2), then in_t, h1, h2, the
 *         union, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> op; }
header pair_t {
    bit<8> a;
    bit<8> b;
}
header ua_t { bit<8> v; }
header ub_t { bit<16> v; }
header_union u_t { ua_t a; ub_t b; }
header out_t { bit<8> flags; }
struct headers_t { out_t o; in_t i; pair_t h1; pair_t h2; u_t u; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.i);
        pk.extract(hdr.h1);
        pk.extract(hdr.u.a);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        if (hdr.i.op == 1) {
            hdr.h2.setValid();
            hdr.h2.b = 0x22;
        } else if (hdr.i.op == 2) {
            hdr.h1.setInvalid();
        } else if (hdr.i.op == 3) {
            hdr.h1.setValid();
        } else if (hdr.i.op == 4) {
            hdr.h2.a = 0x44;
            hdr.h2.b = 0x45;
            if (hdr.h2.isValid()) {
                hdr.h1.a = 0xBB;
            }
        } else if (hdr.i.op == 5) {
            hdr.u.b.setValid();
            hdr.u.b.v = 0x5566;
        } else if (hdr.i.op == 6) {
            hdr.h2 = hdr.h1;
        } else if (hdr.i.op == 7) {
            hdr.h1 = hdr.h2;
        } else if (hdr.i.op == 8) {
            hdr.h2.a = 0x44;
            hdr.h2.setValid();
            hdr.h2.b = 0x88;
        }
        hdr.o.setValid();
        bit<8> f = 0;
        if (hdr.h1.isValid()) { f = f | 1; }
        if (hdr.h2.isValid()) { f = f | 2; }
        if (hdr.u.a.isValid()) { f = f | 4; }
        if (hdr.u.b.isValid()) { f = f | 8; }
        if (hdr.u.isValid()) { f = f | 16; }
        if (hdr.h1 == hdr.h2) { f = f | 32; }
        hdr.o.flags = f;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.i);
        pk.emit(hdr.h1);
        pk.emit(hdr.h2);
        pk.emit(hdr.u);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
