/* Feature test: hash() with every algorithm BMv2 supports.
 *
 * Checks (P4TARGET 1.7, "hash"): result = base + (H mod max), cut to the output width; the data
 * fields are packed MSB first into bytes, zero-padded on the right; a field of an invalid header is
 * still packed (BMv2 reads it as stored, here 0). Algorithms: crc16 (CRC-16/ARC), crc32 (zlib), crc16_custom and crc32_custom (same
 * parameters by default), csum16 (Internet checksum, odd byte count), xor16 (16-bit words, the last
 * one padded), identity (the first bytes read big-endian, so 12 bits come out shifted left by 4).
 * Also: a nonzero base with a small max, max = 0 (treated as 1, so the result is the base), and a
 * 32-bit hash written into an 8-bit field. The expected values are computed by make_packets.py.
 *
 * Input:  in_t = a (bit<8>), b (bit<16>), c (bit<32>), n (bit<4>), pad (bit<4>), has_opt (bit<8>)
 *         | opt_t (1 byte) when has_opt == 1
 * Output: in_t, opt_t, out_t (see the fields), then the payload. D = {a, b, c} (7 bytes).
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  a;
    bit<16> b;
    bit<32> c;
    bit<4>  n;
    bit<4>  pad;
    bit<8>  has_opt;
}
header opt_t { bit<8> v; }
header out_t {
    bit<16> crc16;      // crc16 of D
    bit<32> crc32;      // crc32 of D
    bit<16> crc16c;     // crc16_custom of D
    bit<32> crc32c;     // crc32_custom of D
    bit<16> csum;       // csum16 of D
    bit<16> xor;        // xor16 of D
    bit<32> ident;      // identity of {a, b}
    bit<16> ident12;    // identity of {n, a} (12 bits)
    bit<16> based;      // 100 + crc16(D) mod 1000
    bit<16> max0;       // base 7, max 0 -> 7
    bit<32> crc32_opt;  // crc32 of {a, opt.v}; just {a} when opt is invalid
    bit<8>  small;      // crc32 of D written into 8 bits
}
struct headers_t { in_t i; opt_t opt; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.i);
        transition select(hdr.i.has_opt) {
            1: parse_opt;
            default: accept;
        }
    }
    state parse_opt { pk.extract(hdr.opt); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hash(hdr.o.crc16, HashAlgorithm.crc16, 16w0,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 32w65536);
        hash(hdr.o.crc32, HashAlgorithm.crc32, 32w0,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 64w0x100000000);
        hash(hdr.o.crc16c, HashAlgorithm.crc16_custom, 16w0,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 32w65536);
        hash(hdr.o.crc32c, HashAlgorithm.crc32_custom, 32w0,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 64w0x100000000);
        hash(hdr.o.csum, HashAlgorithm.csum16, 16w0,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 32w65536);
        hash(hdr.o.xor, HashAlgorithm.xor16, 16w0,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 32w65536);
        hash(hdr.o.ident, HashAlgorithm.identity, 32w0,
             { hdr.i.a, hdr.i.b }, 64w0x100000000);
        hash(hdr.o.ident12, HashAlgorithm.identity, 16w0,
             { hdr.i.n, hdr.i.a }, 32w65536);
        hash(hdr.o.based, HashAlgorithm.crc16, 16w100,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 32w1000);
        hash(hdr.o.max0, HashAlgorithm.crc16, 16w7,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 32w0);
        hash(hdr.o.crc32_opt, HashAlgorithm.crc32, 32w0,
             { hdr.i.a, hdr.opt.v }, 64w0x100000000);
        hash(hdr.o.small, HashAlgorithm.crc32, 32w0,
             { hdr.i.a, hdr.i.b, hdr.i.c }, 64w0x100000000);
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.opt);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
