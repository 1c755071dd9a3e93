/* Feature test: random().
 *
 * Only what can be asserted is checked (P4TARGET 1.7: uniform over [lo, hi], inclusive): with
 * lo == hi the result is exactly lo (8, 16 and 32 bits); with lo < hi the result lies in [lo, hi],
 * which the program itself tests and reports as a flag; a range covering the whole bit<4> type.
 *
 * Input:  in_t.x (bit<8>) | payload
 * Output: in_t, out_t (fixed8, fixed16, fixed32: lo == hi results; in_range: bit set per range
 *         test that held: 1 [10, 20] on bit<8>, 2 [0x1000, 0x1FFF] on bit<32>, 4 [0, 15] on
 *         bit<4>, 8 [0xFFFE, 0xFFFF] on bit<16>), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> x; }
header out_t {
    bit<8>  fixed8;
    bit<16> fixed16;
    bit<32> fixed32;
    bit<8>  in_range;
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
        random(hdr.o.fixed8, 8w0x5A, 8w0x5A);
        random(hdr.o.fixed16, 16w0xBEEF, 16w0xBEEF);
        random(hdr.o.fixed32, 32w0xDEADBEEF, 32w0xDEADBEEF);
        bit<8> r8;
        random(r8, 8w10, 8w20);
        bit<32> r32;
        random(r32, 32w0x1000, 32w0x1FFF);
        bit<4> r4;
        random(r4, 4w0, 4w15);
        bit<16> r16;
        random(r16, 16w0xFFFE, 16w0xFFFF);
        bit<8> f = 0;
        if (r8 >= 10 && r8 <= 20) { f = f | 1; }
        if (r32 >= 0x1000 && r32 <= 0x1FFF) { f = f | 2; }
        if (r4 <= 15) { f = f | 4; }
        if (r16 >= 0xFFFE) { f = f | 8; }
        hdr.o.in_range = f;
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
