/* Feature test: verify() and custom errors.
 *
 * Checks: verify(false, e) stops parsing with parser_error = e (a custom error); the headers
 * extracted before stay valid; the bytes not yet extracted stay in the payload and are emitted after
 * the headers; the packet still goes through ingress, which forwards on the error: port 1 for
 * NoError, port 2 for BadVersion, port 3 for BadLength, port 4 for PacketTooShort.
 *
 * Input:  h1_t = version (bit<4>), len (bit<4>) | h2_t (1 byte) | payload
 *   verify(version == 4, BadVersion) runs after h1; verify(len <= 5, BadLength) runs after h2.
 * Output: out_t.flags (1 h1 valid, 2 h2 valid), then h1, h2, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

error { BadVersion, BadLength }

header h1_t {
    bit<4> version;
    bit<4> len;
}
header h2_t { bit<8> v; }
header out_t { bit<8> flags; }
struct headers_t { out_t o; h1_t h1; h2_t h2; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.h1);
        verify(hdr.h1.version == 4, error.BadVersion);
        pk.extract(hdr.h2);
        verify(hdr.h1.len <= 5, error.BadLength);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        if (sm.parser_error == error.NoError) {
            sm.egress_spec = 1;
        } else if (sm.parser_error == error.BadVersion) {
            sm.egress_spec = 2;
        } else if (sm.parser_error == error.BadLength) {
            sm.egress_spec = 3;
        } else if (sm.parser_error == error.PacketTooShort) {
            sm.egress_spec = 4;
        } else {
            sm.egress_spec = 5;
        }
        hdr.o.setValid();
        hdr.o.flags = 0;
        if (hdr.h1.isValid()) { hdr.o.flags = hdr.o.flags | 1; }
        if (hdr.h2.isValid()) { hdr.o.flags = hdr.o.flags | 2; }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.h1);
        pk.emit(hdr.h2);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
