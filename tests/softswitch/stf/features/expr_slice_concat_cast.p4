/* Feature test: slices, concatenation and casts.
 *
 * Checks: reading slices [h:l] of bit<8>, bit<16> and int<8> values (a slice is unsigned); writing
 * slices of a header field and of a local (the other bits are kept); ++ of two fields and of two
 * slices; casts bit<8> -> bit<16> (zero extension), int<8> -> int<16> (sign extension), bit<8> ->
 * bit<4> and int<8> -> int<4> (keep the low bits), bit<8> <-> int<8> (same bits), bit<1> -> bool
 * and bool -> bit<1>.
 *
 * Input:  in_t = a, b (bit<8>), sa (int<8>), w (bit<16>), one (bit<1>), pad (bit<7>)
 * Output: in_t unchanged, then out_t, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  a;
    bit<8>  b;
    int<8>  sa;
    bit<16> w;
    bit<1>  one;
    bit<7>  pad;
}
header out_t {
    bit<4>  hi;          // a[7:4]
    bit<4>  lo;          // a[3:0]
    bit<8>  mid;         // w[11:4]
    bit<4>  s_hi;        // sa[7:4]
    bit<4>  narrow;      // (bit<4>)b
    bit<16> cat;         // a ++ b
    bit<8>  cat_nib;     // a[3:0] ++ b[7:4]
    bit<8>  written;     // b, then written[3:0] = a[7:4], written[7:7] = 1
    bit<16> w_written;   // a local copy of w with [15:8] = a and [0:0] = 0
    bit<16> zext;        // (bit<16>)a
    bit<16> sext;        // (bit<16>)((int<16>)sa)
    bit<4>  s_narrow;    // (bit<4>)((int<4>)sa)
    bit<4>  bools;       // 00 ++ (bit<1>)!((bool)one) ++ (bit<1>)((bool)one)
    int<8>  from_bits;   // (int<8>)a
    bit<8>  to_bits;     // (bit<8>)sa
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
        hdr.o.hi = hdr.i.a[7:4];
        hdr.o.lo = hdr.i.a[3:0];
        hdr.o.mid = hdr.i.w[11:4];
        hdr.o.s_hi = hdr.i.sa[7:4];
        hdr.o.narrow = (bit<4>)hdr.i.b;
        hdr.o.cat = hdr.i.a ++ hdr.i.b;
        hdr.o.cat_nib = hdr.i.a[3:0] ++ hdr.i.b[7:4];
        hdr.o.written = hdr.i.b;
        hdr.o.written[3:0] = hdr.i.a[7:4];
        hdr.o.written[7:7] = 1w1;
        bit<16> t = hdr.i.w;
        t[15:8] = hdr.i.a;
        t[0:0] = 0;
        hdr.o.w_written = t;
        hdr.o.zext = (bit<16>)hdr.i.a;
        hdr.o.sext = (bit<16>)((int<16>)hdr.i.sa);
        hdr.o.s_narrow = (bit<4>)((int<4>)hdr.i.sa);
        bool flag = (bool)hdr.i.one;
        hdr.o.bools = 2w0 ++ (bit<1>)(!flag) ++ (bit<1>)flag;
        hdr.o.from_bits = (int<8>)hdr.i.a;
        hdr.o.to_bits = (bit<8>)hdr.i.sa;
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
