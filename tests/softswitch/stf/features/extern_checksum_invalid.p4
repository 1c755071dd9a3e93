/* Feature test: checksums next to invalid headers.
 *
 * Checks (P4TARGET 1.7, "verify_checksum / update_checksum", and the data packing of "hash", which
 * BMv2 shares with checksums): fields of an invalid header are left out of the checksummed data
 * (a crc16 over {a.v, b.w} is a crc16 over a.v alone when b is absent: computing it over a.v and
 * a zero b.w would not match); a verify with a true condition whose checksum field lies in an
 * invalid header (c) passes; an update into an invalid header changes nothing visible; the
 * checksum algorithm may be crc16, not only csum16.
 *
 * Input:  a_t = kind (bit<8>), v (bit<16>), ck (bit<16>) | b_t.w (bit<16>) when kind == 1 | payload
 * Ingress: port 2 if checksum_error, else 1; a.v = a.v + 1 (so the update must recompute a.ck).
 * Output: a_t (new v, new ck), b_t, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header a_t {
    bit<8>  kind;
    bit<16> v;
    bit<16> ck;
}
header b_t { bit<16> w; }
header c_t { bit<16> ck; }
struct headers_t { a_t a; b_t b; c_t c; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.a);
        transition select(hdr.a.kind) {
            1: parse_b;
            default: accept;
        }
    }
    state parse_b { pk.extract(hdr.b); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) {
    apply {
        verify_checksum(true, { hdr.a.v, hdr.b.w }, hdr.a.ck, HashAlgorithm.crc16);
        verify_checksum(true, { hdr.a.v }, hdr.c.ck, HashAlgorithm.csum16);
    }
}

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        if (sm.checksum_error == 1) {
            sm.egress_spec = 2;
        } else {
            sm.egress_spec = 1;
        }
        hdr.a.v = hdr.a.v + 1;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) {
    apply {
        update_checksum(true, { hdr.a.v, hdr.b.w }, hdr.a.ck, HashAlgorithm.crc16);
        update_checksum(true, { hdr.a.v }, hdr.c.ck, HashAlgorithm.csum16);
    }
}

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.a);
        pk.emit(hdr.b);
        pk.emit(hdr.c);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
