/* Feature test: digest, log_msg, assert and assume.
 *
 * Checks (P4TARGET 1.7): digest() of a struct built with a struct initializer, called twice (only
 * the last call counts, nothing visible in STF); log_msg() with and without arguments; assert() and
 * assume() with conditions that hold for every packet. None of them changes the packet: it leaves
 * on port 1 unchanged except for out_t, which shows the code after them ran.
 *
 * Input:  h_t = a (bit<8>), b (bit<16>) | payload
 * Output: h_t, out_t.done = 0xD0, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8>  a;
    bit<16> b;
}
header out_t { bit<8> done; }
struct headers_t { h_t h; out_t o; }
struct learn_t {
    bit<8>  a;
    bit<16> b;
}
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.h); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        assert(hdr.h.isValid());
        assume(sm.ingress_port == 0);
        digest<learn_t>(1, { hdr.h.a, hdr.h.b });
        learn_t second = { a = hdr.h.a + 1, b = hdr.h.b };
        digest<learn_t>(1, second);
        log_msg("feature test: plain message");
        log_msg("feature test: a={} b={}", { hdr.h.a, hdr.h.b });
        hdr.o.setValid();
        hdr.o.done = 0xD0;
        assert(hdr.o.done == 0xD0);
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
