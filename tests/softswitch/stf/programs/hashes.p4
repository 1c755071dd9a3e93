/* hash() with every BMv2 algorithm; base + (H mod max); a field of an invalid header still counts.
 * The expected values are computed by the test (test_features_externs.py). */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<16> a; bit<8> b; bit<8> c; }
header extra_t { bit<8> x; }
header res_t {
    bit<32> crc32;
    bit<16> crc16;
    bit<16> csum;
    bit<16> xor;
    bit<32> ident;
    bit<16> modded;
    bit<32> skipped;
}
struct headers_t { in_t in_; extra_t extra; res_t res; }
struct meta_t { }

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.in_); transition accept; }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.res.setValid();
        hash(hdr.res.crc32, HashAlgorithm.crc32, 32w0, { hdr.in_.a, hdr.in_.b }, 33w0x100000000);
        hash(hdr.res.crc16, HashAlgorithm.crc16, 16w0, { hdr.in_.a, hdr.in_.b }, 32w0x10000);
        hash(hdr.res.csum, HashAlgorithm.csum16, 16w0, { hdr.in_.a, hdr.in_.b }, 32w0x10000);
        hash(hdr.res.xor, HashAlgorithm.xor16, 16w0, { hdr.in_.a, hdr.in_.b, hdr.in_.c }, 32w0x10000);
        hash(hdr.res.ident, HashAlgorithm.identity, 32w0, { hdr.in_.a, hdr.in_.b }, 33w0x100000000);
        hash(hdr.res.modded, HashAlgorithm.crc32, 16w100, { hdr.in_.a, hdr.in_.b }, 16w7);
        // extra is never valid, but its field (0) is still packed, as on BMv2 simple_switch
        hash(hdr.res.skipped, HashAlgorithm.crc32, 32w0, { hdr.in_.a, hdr.extra.x }, 33w0x100000000);
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
