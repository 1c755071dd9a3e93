/* Feature test: standard_metadata.packet_length.
 *
 * Checks (P4TARGET 1.2, "packet_length"): in ingress it is the received length; in egress it is
 * the length register, which setValid() on an invalid header raised and setInvalid() on a valid
 * header lowered by the header's size during ingress; setValid() on a valid header and
 * setInvalid() on an invalid one change nothing.
 *
 * Input:  h_t.op (bit<8>) | h2_t (2 bytes) | payload
 *   op 1: extra.setValid() (+2)      op 2: h2.setInvalid() (-2)
 *   op 3: h2.setValid() (no change)  op 4: extra.setInvalid() (no change)
 * Ingress always sets out_t valid (+4). Output: out_t (in_len, eg_len), h_t, h2_t, extra_t,
 * then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header h_t { bit<8> op; }
header h2_t { bit<16> v; }
header extra_t { bit<16> v; }
header out_t {
    bit<16> in_len;
    bit<16> eg_len;
}
struct headers_t { out_t o; h_t h; h2_t h2; extra_t extra; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.h);
        pk.extract(hdr.h2);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.in_len = (bit<16>)sm.packet_length;
        if (hdr.h.op == 1) {
            hdr.extra.setValid();
            hdr.extra.v = 0xEEEE;
        } else if (hdr.h.op == 2) {
            hdr.h2.setInvalid();
        } else if (hdr.h.op == 3) {
            hdr.h2.setValid();
        } else if (hdr.h.op == 4) {
            hdr.extra.setInvalid();
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.eg_len = (bit<16>)sm.packet_length;
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.h);
        pk.emit(hdr.h2);
        pk.emit(hdr.extra);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
