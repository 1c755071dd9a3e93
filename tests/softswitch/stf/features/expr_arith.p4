/* Feature test: arithmetic operators with P4-16 width semantics.
 *
 * Checks, on bit<8>: + - * (wrap-around modulo 2^8), |+| |-| (unsigned saturation at 255 and 0),
 * unary minus, division and modulo by powers of two (the only / and % p4c accepts for BMv2);
 * on int<8>: + - * (two's-complement wrap), |+| |-| (saturation at 127 and -128), unary minus
 * (including -(-128) == -128); on bit<16>: + and * keeping the low 16 bits.
 *
 * Input:  in_t = a, b (bit<8>), sa, sb (int<8>), w, v (bit<16>)
 * Output: in_t unchanged, then out_t with one result per field, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  a;
    bit<8>  b;
    int<8>  sa;
    int<8>  sb;
    bit<16> w;
    bit<16> v;
}
header out_t {
    bit<8>  add;
    bit<8>  sub;
    bit<8>  mul;
    bit<8>  sat_add;
    bit<8>  sat_sub;
    bit<8>  neg;
    bit<8>  div4;
    bit<8>  mod8;
    int<8>  s_add;
    int<8>  s_sub;
    int<8>  s_mul;
    int<8>  s_sat_add;
    int<8>  s_sat_sub;
    int<8>  s_neg;
    bit<16> w_add;
    bit<16> w_mul;
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
        hdr.o.add = hdr.i.a + hdr.i.b;
        hdr.o.sub = hdr.i.a - hdr.i.b;
        hdr.o.mul = hdr.i.a * hdr.i.b;
        hdr.o.sat_add = hdr.i.a |+| hdr.i.b;
        hdr.o.sat_sub = hdr.i.a |-| hdr.i.b;
        hdr.o.neg = -hdr.i.a;
        hdr.o.div4 = hdr.i.a / 4;
        hdr.o.mod8 = hdr.i.a % 8;
        hdr.o.s_add = hdr.i.sa + hdr.i.sb;
        hdr.o.s_sub = hdr.i.sa - hdr.i.sb;
        hdr.o.s_mul = hdr.i.sa * hdr.i.sb;
        hdr.o.s_sat_add = hdr.i.sa |+| hdr.i.sb;
        hdr.o.s_sat_sub = hdr.i.sa |-| hdr.i.sb;
        hdr.o.s_neg = -hdr.i.sa;
        hdr.o.w_add = hdr.i.w + hdr.i.v;
        hdr.o.w_mul = hdr.i.w * hdr.i.v;
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
