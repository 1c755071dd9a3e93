/* Feature test: a parser value_set that stays empty.
 *
 * STF cannot add members to a value_set, so the set stays empty for the whole test. Checks: an
 * empty value_set matches nothing, not even the value 0 (the unused slots must not act as zero
 * entries); the cases after it still match; default catches the rest.
 *
 * Input:  h_t.type (bit<16>) | payload
 * Output: h_t, out_t.path (1 value_set, 2 the 0x0800 case, 3 default), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header h_t { bit<16> type; }
header out_t { bit<8> path; }
struct headers_t { h_t h; out_t o; }
struct meta_t { bit<8> path; }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    value_set<bit<16>>(4) pvs;

    state start {
        pk.extract(hdr.h);
        transition select(hdr.h.type) {
            pvs: in_set;
            0x0800: is_ip;
            default: other;
        }
    }
    state in_set { meta.path = 1; transition accept; }
    state is_ip { meta.path = 2; transition accept; }
    state other { meta.path = 3; transition accept; }
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
        pk.emit(hdr.h);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
