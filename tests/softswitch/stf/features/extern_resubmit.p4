/* Feature test: resubmit_preserving_field_list.
 *
 * Checks (P4TARGET 1.3, 1.4, 1.7): a resubmitted packet starts again from the bytes as received
 * (ingress's change to h.x is lost on every pass), its metadata is zeroed except the fields
 * annotated @field_list(1) (a pass counter that keeps growing), instance_type is 6 and
 * ingress_port is 0; the original is not forwarded. The packet is resubmitted until the counter
 * reaches h.n, so exactly one packet leaves, on port 1.
 *
 * Input:  h_t = n, x (bit<8>) | payload, on port 2
 * Output: h_t (x + 1: only the last pass's change), out_t (count: passes, inst: instance_type of
 *         the last pass, other: a metadata field set only on the first pass, iport: ingress_port
 *         of the last pass), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> n;
    bit<8> x;
}
header out_t {
    bit<8> count;
    bit<8> inst;
    bit<8> other;
    bit<8> iport;
    bit<8> plen;
}
struct headers_t { h_t h; out_t o; }
struct meta_t {
    @field_list(1)
    bit<8> count;
    bit<8> other;
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.h); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        if (sm.instance_type == 0) {
            meta.other = 0x55;
        }
        meta.count = meta.count + 1;
        hdr.h.x = hdr.h.x + 1;
        if (meta.count < hdr.h.n) {
            resubmit_preserving_field_list(1);
        } else {
            hdr.o.setValid();
            hdr.o.count = meta.count;
            hdr.o.inst = (bit<8>)sm.instance_type;
            hdr.o.other = meta.other;
            hdr.o.iport = (bit<8>)sm.ingress_port;
            hdr.o.plen = (bit<8>)sm.packet_length;
        }
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
