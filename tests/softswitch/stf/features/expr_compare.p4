/* Feature test: comparison and boolean operators.
 *
 * Checks: == != < <= > >= on bit<8> (unsigned) and on int<8> (signed: 0x80 is -128 and is smaller
 * than 0x7F), && || ! and == / != between bool values. Each comparison result is turned into one
 * bit with a bool -> bit<1> cast and the bits are concatenated with ++.
 *
 * Input:  in_t = a, b (bit<8>), sa, sb (int<8>)
 * Output: in_t unchanged, then out_t:
 *   ucmp = 00 ++ (a==b) ++ (a!=b) ++ (a<b) ++ (a<=b) ++ (a>b) ++ (a>=b)
 *   scmp = the same six comparisons on sa, sb
 *   logic = 000 ++ (ult && slt) ++ (ult || slt) ++ !(a==b) ++ (ugt == sgt) ++ (ult != slt)
 *   where ult = a<b, slt = sa<sb, ugt = a>b, sgt = sa>sb.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8> a;
    bit<8> b;
    int<8> sa;
    int<8> sb;
}
header out_t {
    bit<8> ucmp;
    bit<8> scmp;
    bit<8> logic;
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
        bool ult = hdr.i.a < hdr.i.b;
        bool slt = hdr.i.sa < hdr.i.sb;
        bool ugt = hdr.i.a > hdr.i.b;
        bool sgt = hdr.i.sa > hdr.i.sb;
        hdr.o.setValid();
        hdr.o.ucmp = 2w0 ++ (bit<1>)(hdr.i.a == hdr.i.b) ++ (bit<1>)(hdr.i.a != hdr.i.b)
                     ++ (bit<1>)(hdr.i.a < hdr.i.b) ++ (bit<1>)(hdr.i.a <= hdr.i.b)
                     ++ (bit<1>)(hdr.i.a > hdr.i.b) ++ (bit<1>)(hdr.i.a >= hdr.i.b);
        hdr.o.scmp = 2w0 ++ (bit<1>)(hdr.i.sa == hdr.i.sb) ++ (bit<1>)(hdr.i.sa != hdr.i.sb)
                     ++ (bit<1>)(hdr.i.sa < hdr.i.sb) ++ (bit<1>)(hdr.i.sa <= hdr.i.sb)
                     ++ (bit<1>)(hdr.i.sa > hdr.i.sb) ++ (bit<1>)(hdr.i.sa >= hdr.i.sb);
        hdr.o.logic = 3w0 ++ (bit<1>)(ult && slt) ++ (bit<1>)(ult || slt)
                      ++ (bit<1>)(!(hdr.i.a == hdr.i.b)) ++ (bit<1>)(ugt == sgt)
                      ++ (bit<1>)(ult != slt);
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
