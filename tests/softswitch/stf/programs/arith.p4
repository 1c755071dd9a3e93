/* bit<8>/int<8> arithmetic: wrap-around, saturation, shifts (also by >= width), negation,
 * complement, concatenation, slices, sign extension, signed comparison. */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> a; bit<8> b; }
header out_t {
    bit<8>  add;
    bit<8>  sub;
    bit<8>  mul;
    bit<8>  sadd;
    bit<8>  ssub;
    bit<8>  shl;
    bit<8>  shr;
    bit<8>  ashr;
    bit<8>  neg;
    bit<8>  inv;
    bit<16> cat;
    bit<8>  slc;
    bit<16> sext;
    bit<8>  slt;
    bit<8>  ssat;
    bit<8>  big_shift;
}
struct headers_t { in_t in_; out_t res; }
struct meta_t { }

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.in_); transition accept; }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        bit<8> a = hdr.in_.a;
        bit<8> b = hdr.in_.b;
        int<8> sa = (int<8>) a;
        int<8> sb = (int<8>) b;
        hdr.res.setValid();
        hdr.res.add = a + b;
        hdr.res.sub = a - b;
        hdr.res.mul = a * b;
        hdr.res.sadd = a |+| b;
        hdr.res.ssub = a |-| b;
        hdr.res.shl = a << 3;
        hdr.res.shr = a >> 3;
        hdr.res.ashr = (bit<8>) (sa >> 2);
        hdr.res.neg = -a;
        hdr.res.inv = ~a;
        hdr.res.cat = a ++ b;
        hdr.res.slc = (a ++ b)[11:4];
        hdr.res.sext = (bit<16>) ((int<16>) sa);
        hdr.res.slt = sa < sb ? 8w1 : 8w0;
        hdr.res.ssat = (bit<8>) (sa |+| sb);
        hdr.res.big_shift = a << b;
        sm.egress_spec = 1;
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.in_);
        pkt.emit(hdr.res);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
