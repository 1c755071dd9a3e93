// verify/update_checksum_with_payload inside sub-controls applied from verifyChecksum and
// computeChecksum (the sub-control needs the unparsed payload too).
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<16> a;
    bit<16> csum;
    bit<8>  err;
}

struct headers_t {
    h_t h;
}

struct meta_t {}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition accept;
    }
}

control CheckH(inout h_t h) {
    apply {
        verify_checksum_with_payload(h.isValid(), { h.a }, h.csum, HashAlgorithm.csum16);
    }
}

control FixH(inout h_t h) {
    apply {
        update_checksum_with_payload(h.isValid(), { h.a }, h.csum, HashAlgorithm.csum16);
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) {
    CheckH() check;
    apply { check.apply(hdr.h); }
}

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        hdr.h.err = (bit<8>) sm.checksum_error;
        sm.egress_spec = 1;
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control upd(inout headers_t hdr, inout meta_t m) {
    FixH() fix;
    apply { fix.apply(hdr.h); }
}

control dprs(packet_out pkt, in headers_t hdr) {
    apply { pkt.emit(hdr.h); }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
