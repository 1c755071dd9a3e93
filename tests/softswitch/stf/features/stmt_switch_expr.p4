/* Feature test: switch on an expression (P4-16 1.2.2), not on action_run.
 *
 * Checks: switch on a bit<8> field with single labels, two labels sharing a body (fall-through),
 * a default; switch on a serializable-enum field with enum labels; a case without a match and no
 * default runs nothing.
 *
 * Input:  in_t = k (bit<8>), p (serializable enum, bit<8>)
 * Output: in_t, out_t (s1 from the bit<8> switch, s2 from the enum switch, 0 when no case ran),
 *         then the payload.
 */
#include <core.p4>
#include <v1model.p4>

enum bit<8> Kind { A = 1, B = 2, C = 3 }

header in_t {
    bit<8> k;
    Kind   p;
}
header out_t {
    bit<8> s1;
    bit<8> s2;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        switch (hdr.i.k) {
            8w1: { hdr.o.s1 = 0x10; }
            8w2:
            8w3: { hdr.o.s1 = 0x23; }
            default: { hdr.o.s1 = 0xDD; }
        }
        switch (hdr.i.p) {
            Kind.A: { hdr.o.s2 = 0xA0; }
            Kind.C: { hdr.o.s2 = 0xC0; }
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
