/* Feature test: default actions.
 *
 * Checks: a non-const default_action with an argument runs on a miss; `setdefault` replaces it (and
 * its argument) for the following packets; `setdefault` on a table whose default is
 * `const default_action` is refused, so the const default keeps running; a table without a
 * default_action gets NoAction (nothing is written on a miss); a keyless table always misses and
 * runs its default; the `size` property has no visible effect; hits still run the entry's action.
 *
 * Input:  in_t.k (bit<8>)
 * Output: in_t, out_t (x1 from t_nonconst, x2 from t_const, x3 from t_none (stays 0 on a miss),
 *         x4 from t_keyless), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> k; }
header out_t {
    bit<8> x1;
    bit<8> x2;
    bit<8> x3;
    bit<8> x4;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action set_x1(bit<8> v) { hdr.o.x1 = v; }
    action other_x1(bit<8> v) { hdr.o.x1 = v ^ 0xFF; }
    action set_x2(bit<8> v) { hdr.o.x2 = v; }
    action set_x3(bit<8> v) { hdr.o.x3 = v; }
    action set_x4(bit<8> v) { hdr.o.x4 = v; }

    table t_nonconst {
        key = { hdr.i.k: exact; }
        actions = { set_x1; other_x1; }
        default_action = set_x1(0x11);
    }
    table t_const {
        key = { hdr.i.k: exact; }
        actions = { set_x2; }
        const default_action = set_x2(0x33);
        size = 16;
    }
    table t_none {
        key = { hdr.i.k: exact; }
        actions = { set_x3; }
    }
    table t_keyless {
        actions = { set_x4; }
        default_action = set_x4(0x55);
    }

    apply {
        hdr.o.setValid();
        t_nonconst.apply();
        t_const.apply();
        t_none.apply();
        t_keyless.apply();
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
