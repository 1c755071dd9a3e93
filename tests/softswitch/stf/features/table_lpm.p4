/* Feature test: longest-prefix-match tables filled by STF `add`.
 *
 * Checks: the longest matching prefix wins whatever the order the entries were added in; prefixes
 * of 8, 12 (written in binary), 16, 24 and 32 bits; an address outside every prefix misses; a
 * table with an exact key and an lpm key where the lpm key is left out of the `add` line, which
 * makes it 0/0 (matches every address for that exact key).
 *
 * Input:  in_t = vrf (bit<8>), dst (bit<32>)
 * Output: in_t, out_t (r from t_lpm: 0xEE on a miss; r2 from t_vrf: 0xEE on a miss), payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  vrf;
    bit<32> dst;
}
header out_t {
    bit<8> r;
    bit<8> r2;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action route(bit<8> v) { hdr.o.r = v; }
    action no_route() { hdr.o.r = 0xEE; }
    action route2(bit<8> v) { hdr.o.r2 = v; }
    action no_route2() { hdr.o.r2 = 0xEE; }

    table t_lpm {
        key = { hdr.i.dst: lpm; }
        actions = { route; no_route; }
        default_action = no_route();
    }
    table t_vrf {
        key = {
            hdr.i.vrf: exact;
            hdr.i.dst: lpm;
        }
        actions = { route2; no_route2; }
        default_action = no_route2();
    }

    apply {
        hdr.o.setValid();
        t_lpm.apply();
        t_vrf.apply();
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
