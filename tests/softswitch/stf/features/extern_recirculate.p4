/* Feature test: recirculate_preserving_field_list.
 *
 * Checks (P4TARGET 1.3, 1.5, 1.7): a recirculated packet starts again from its deparsed bytes
 * (egress's change to h.x accumulates over the passes), its metadata is zeroed except the fields
 * annotated @field_list(1) (a pass counter incremented in ingress), instance_type in ingress is 4
 * (and 0 in egress, as for any unicast packet); the original is not transmitted. The packet is
 * recirculated from egress until the counter reaches h.n, so exactly one packet leaves, on port 1.
 * Each recirculating pass adds a tag byte after h (set valid in egress), which the next pass
 * parses as payload, so the packet grows by one byte per pass and packet_length in ingress is the
 * deparsed size of the previous pass.
 *
 * Input:  h_t = n, x (bit<8>) | payload, on port 2
 * Output: h_t (x + number of passes), out_t (count: passes; inst_in: instance_type seen in ingress
 *         of the last pass; inst_eg: instance_type in its egress; other: a metadata field set in
 *         ingress only on the first pass; iport: ingress_port of the last pass; plen: packet_length
 *         in ingress of the last pass), then the tags of the earlier passes (latest first), then
 *         the payload.
 */
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> n;
    bit<8> x;
}
header out_t {
    bit<8> count;
    bit<8> inst_in;
    bit<8> inst_eg;
    bit<8> other;
    bit<8> iport;
    bit<8> plen;
}
header tag_t { bit<8> pass; }
struct headers_t { h_t h; out_t o; tag_t tag; }
struct meta_t {
    @field_list(1)
    bit<8> count;
    bit<8> inst_in;
    bit<8> other;
    bit<8> iport;
    bit<8> plen;
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
        meta.inst_in = (bit<8>)sm.instance_type;
        meta.iport = (bit<8>)sm.ingress_port;
        meta.plen = (bit<8>)sm.packet_length;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.h.x = hdr.h.x + 1;
        if (meta.count < hdr.h.n) {
            recirculate_preserving_field_list(1);
            hdr.tag.setValid();
            hdr.tag.pass = meta.count;
        } else {
            hdr.o.setValid();
            hdr.o.count = meta.count;
            hdr.o.inst_in = meta.inst_in;
            hdr.o.inst_eg = (bit<8>)sm.instance_type;
            hdr.o.other = meta.other;
            hdr.o.iport = meta.iport;
            hdr.o.plen = meta.plen;
        }
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.h);
        pk.emit(hdr.o);
        pk.emit(hdr.tag);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
