/* Feature test: bitwise operators and shifts.
 *
 * Checks: & | ^ ~ on bit<8>; << and >> by a run-time amount n taken from the packet, including
 * n == 8 and n > 8 (the result is 0 for bit<W>); shifts by constants; >> on int<8> is arithmetic
 * (sign bits come in; shifting by n >= 8 gives -1 for a negative value and 0 otherwise); << on int<8>
 * wraps; a shift of a value widened to bit<16> keeps 16 bits.
 *
 * Input:  in_t = a, b, n (bit<8>), sa (int<8>)
 * Output: in_t unchanged, then out_t, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8> a;
    bit<8> b;
    bit<8> n;
    int<8> sa;
}
header out_t {
    bit<8>  r_and;
    bit<8>  r_or;
    bit<8>  r_xor;
    bit<8>  r_not;
    bit<8>  shl_n;
    bit<8>  shr_n;
    bit<8>  shl_3;
    bit<8>  shr_3;
    int<8>  sshr_n;
    int<8>  sshr_2;
    int<8>  sshl_n;
    bit<16> wshl_n;
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
        hdr.o.r_and = hdr.i.a & hdr.i.b;
        hdr.o.r_or = hdr.i.a | hdr.i.b;
        hdr.o.r_xor = hdr.i.a ^ hdr.i.b;
        hdr.o.r_not = ~hdr.i.a;
        hdr.o.shl_n = hdr.i.a << hdr.i.n;
        hdr.o.shr_n = hdr.i.a >> hdr.i.n;
        hdr.o.shl_3 = hdr.i.a << 3;
        hdr.o.shr_3 = hdr.i.a >> 3;
        hdr.o.sshr_n = hdr.i.sa >> hdr.i.n;
        hdr.o.sshr_2 = hdr.i.sa >> 2;
        hdr.o.sshl_n = hdr.i.sa << hdr.i.n;
        hdr.o.wshl_n = ((bit<16>)hdr.i.a) << hdr.i.n;
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
