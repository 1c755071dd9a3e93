/* Feature test: a ternary table filled by STF `add` with priorities.
 *
 * Checks: value/mask matching with STF digit masks (0x1* is 0x10&&&0xF0, 0x*4 is 0x04&&&0x0F,
 * 0b1******* is 0x80&&&0x80, and a short 0x5 covers only the low nibble: 0x05&&&0x0F); ternary
 * keys left out of the line are wildcards; among matching entries the larger STF priority wins,
 * independent of the order of the `add` lines; the exact key still has to match.
 *
 * Input:  in_t = a, b, c (bit<8>)
 * Output: in_t, out_t.r (the winning entry's v; 0xEE on a miss), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8> a;
    bit<8> b;
    bit<8> c;
}
header out_t { bit<8> r; }
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action set_r(bit<8> v) { hdr.o.r = v; }
    action miss_act() { hdr.o.r = 0xEE; }

    table t {
        key = {
            hdr.i.a: ternary;
            hdr.i.b: ternary;
            hdr.i.c: exact;
        }
        actions = { set_r; miss_act; }
        default_action = miss_act();
    }

    apply {
        hdr.o.setValid();
        t.apply();
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
