/* Feature test: truncate().
 *
 * Checks (P4TARGET 1.1 step 8, 1.7): the transmitted packet (headers as deparsed, out_t added in
 * egress included, plus payload) is cut to the given number of bytes; with two calls the smaller
 * length wins, whichever comes first; a length larger than the packet changes nothing; the packet
 * without a truncate call is sent whole.
 *
 * Input:  h_t = n1, n2 (bit<8>) | payload, on port 0. n1 != 0: truncate(n1); n2 != 0: truncate(n2).
 * Output: out_t (2 bytes: 0xAB 0xCD, added in egress), h_t, then the payload, all cut.
 */
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> n1;
    bit<8> n2;
}
header out_t { bit<16> mark; }
struct headers_t { out_t o; h_t h; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.h); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        if (hdr.h.n1 != 0) {
            truncate((bit<32>)hdr.h.n1);
        }
        if (hdr.h.n2 != 0) {
            truncate((bit<32>)hdr.h.n2);
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.mark = 0xABCD;
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.h);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
