/* Feature test: arithmetic on wide values.
 *
 * Checks: + and * on bit<48> and bit<64> wrap at their widths; - on bit<64> wraps below 0;
 * shifts of a bit<128> value by a run-time amount (bits move across the 64-bit boundary, and a
 * shift by 128 or more gives 0); ++ building a bit<128>; slices of a bit<128> across the 64-bit
 * boundary; comparison of bit<128> values; int<64> arithmetic shift right of a negative value.
 *
 * Input:  in_t = m (bit<48>), x, y (bit<64>), z (bit<128>), n (bit<8>)
 * Output: in_t, out_t (see the fields), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<48>  m;
    bit<64>  x;
    bit<64>  y;
    bit<128> z;
    bit<8>   n;
}
header out_t {
    bit<48>  m_add;    // m + 0x000000000001 (wraps at 48 bits)
    bit<48>  m_mul;    // m * 3
    bit<64>  xy_add;   // x + y
    bit<64>  xy_sub;   // x - y
    bit<64>  xy_mul;   // x * y
    bit<128> z_shl;    // z << n
    bit<128> z_shr;    // z >> n
    bit<128> cat;      // x ++ y
    bit<64>  mid;      // z[95:32]
    bit<8>   z_gt;     // 1 if z > (x ++ y), else 0
    bit<64>  s_shr;    // (bit<64>)((int<64>)x >> n)
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
        hdr.o.m_add = hdr.i.m + 48w1;
        hdr.o.m_mul = hdr.i.m * 48w3;
        hdr.o.xy_add = hdr.i.x + hdr.i.y;
        hdr.o.xy_sub = hdr.i.x - hdr.i.y;
        hdr.o.xy_mul = hdr.i.x * hdr.i.y;
        hdr.o.z_shl = hdr.i.z << hdr.i.n;
        hdr.o.z_shr = hdr.i.z >> hdr.i.n;
        hdr.o.cat = hdr.i.x ++ hdr.i.y;
        hdr.o.mid = hdr.i.z[95:32];
        hdr.o.z_gt = hdr.i.z > (hdr.i.x ++ hdr.i.y) ? 8w1 : 8w0;
        hdr.o.s_shr = (bit<64>)(((int<64>)hdr.i.x) >> hdr.i.n);
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
