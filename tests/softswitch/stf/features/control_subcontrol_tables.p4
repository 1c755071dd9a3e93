/* Feature test: tables inside sub-controls instantiated twice.
 *
 * Checks (P4TARGET 4, "Names"): each instance of a sub-control has its own table, named
 * ingress.<instance>.<table> (STF adds to ingress.first.t and ingress.second.t separately); the
 * instances share the code but not the entries or the default action (`setdefault` on one does
 * not change the other); the sub-control's parameters bind to different fields per call; a
 * sub-control applied from egress has its own table too (egress.last.t).
 *
 * Input:  in_t = k (bit<8>)
 * Output: in_t, out_t (x from ingress.first, y from ingress.second, z from egress.last;
 *         0xEE on a miss), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> k; }
header out_t {
    bit<8> x;
    bit<8> y;
    bit<8> z;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

control Lookup(in bit<8> k, inout bit<8> result) {
    action set_v(bit<8> v) { result = v; }
    action none() { result = 0xEE; }
    table t {
        key = { k: exact; }
        actions = { set_v; none; }
        default_action = none();
    }
    apply {
        t.apply();
    }
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    Lookup() first;
    Lookup() second;
    apply {
        hdr.o.setValid();
        first.apply(hdr.i.k, hdr.o.x);
        second.apply(hdr.i.k, hdr.o.y);
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    Lookup() last;
    apply {
        last.apply(hdr.i.k, hdr.o.z);
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
