/* Feature test: parser select.
 *
 * Checks: select on a tuple (k1, k2) with exact values, `_` (don't care) in one component, masks
 * (&&&), ranges (..) in both components, default; then a select on one 16-bit key with a value,
 * a range and a top-level `_`. Cases are tried in order and the first match wins (0x01,0x02 matches
 * both of the first two cases). Each final state records its number in metadata; ingress copies it
 * into out_t.path.
 *
 * Input:  sel_t = k1, k2 (bit<8>), k3 (bit<16>)
 * Output: sel_t unchanged, then out_t.path, then the payload.
 *   1 exact (0x01, 0x02)     2 (0x01, _)      3 (0x10 &&& 0xF0, 0x00 &&& 0x01)
 *   4 (0x20..0x2F, 0x40..0x7F)                then on k3: 5 0xAAAA  6 0x0100..0x01FF  7 _
 */
#include <core.p4>
#include <v1model.p4>

header sel_t {
    bit<8>  k1;
    bit<8>  k2;
    bit<16> k3;
}
header out_t { bit<8> path; }
struct headers_t { sel_t s; out_t o; }
struct meta_t { bit<8> path; }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.s);
        transition select(hdr.s.k1, hdr.s.k2) {
            (8w0x01, 8w0x02): p_exact;
            (8w0x01, _): p_k1_only;
            (8w0x10 &&& 8w0xF0, 8w0x00 &&& 8w0x01): p_mask;
            (8w0x20 .. 8w0x2F, 8w0x40 .. 8w0x7F): p_range;
            default: p_next;
        }
    }
    state p_exact { meta.path = 1; transition accept; }
    state p_k1_only { meta.path = 2; transition accept; }
    state p_mask { meta.path = 3; transition accept; }
    state p_range { meta.path = 4; transition accept; }
    state p_next {
        transition select(hdr.s.k3) {
            16w0xAAAA: p_k3;
            16w0x0100 .. 16w0x01FF: p_k3_range;
            _: p_any;
        }
    }
    state p_k3 { meta.path = 5; transition accept; }
    state p_k3_range { meta.path = 6; transition accept; }
    state p_any { meta.path = 7; transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.path = meta.path;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.s);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
