/* Feature test: `transition reject` and a select with no match and no default, as BMv2 runs them.
 *
 * Checks (P4TARGET 2): p4c-bm2-ss compiles `transition reject` to accept, so the packet is processed
 * with parser_error NoError; a select with no matching case and no default also simply accepts
 * with NoError (BMv2 never produces NoMatch). Headers extracted so far stay valid and the rest of
 * the packet is payload. Ingress forwards NoError to port 1 and any error to port 2.
 *
 * Input:  k_t.k (bit<8>): 1 -> a_t; 2 -> reject; 3 -> b_t then select on b.v (0xAA -> a_t, no
 *         default); anything else: no match in start.
 * Output: out_t (err: 0 NoError, 2 NoMatch, 9 other; flags: 1 a valid, 2 b valid), k_t, b_t, a_t,
 *         then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header k_t { bit<8> k; }
header a_t { bit<8> v; }
header b_t { bit<8> v; }
header out_t {
    bit<8> err;
    bit<8> flags;
}
struct headers_t { out_t o; k_t k; b_t b; a_t a; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.k);
        transition select(hdr.k.k) {
            1: parse_a;
            2: reject;
            3: parse_b;
        }
    }
    state parse_b {
        pk.extract(hdr.b);
        transition select(hdr.b.v) {
            0xAA: parse_a;
        }
    }
    state parse_a {
        pk.extract(hdr.a);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        if (sm.parser_error == error.NoError) {
            hdr.o.err = 0;
            sm.egress_spec = 1;
        } else if (sm.parser_error == error.NoMatch) {
            hdr.o.err = 2;
            sm.egress_spec = 2;
        } else {
            hdr.o.err = 9;
            sm.egress_spec = 2;
        }
        hdr.o.flags = 0;
        if (hdr.a.isValid()) { hdr.o.flags = hdr.o.flags | 1; }
        if (hdr.b.isValid()) { hdr.o.flags = hdr.o.flags | 2; }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.k);
        pk.emit(hdr.b);
        pk.emit(hdr.a);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
