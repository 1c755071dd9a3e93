/* Feature test: table implementations and table resources.
 *
 * STF `add` cannot fill tables with an action_profile or action_selector implementation, so
 * those tables stay empty: every lookup misses, `hit` is false, and the miss runs NoAction (p4c-bm2-ss
 * does not support another default action for such tables), so the pipeline just goes on. Checks
 * as well: a table with `support_timeout = true` is filled by `add` and hits like any other; a
 * direct_counter is attached to that table (counted on hits, not observable in STF); a
 * direct_meter on another table, never configured, reads GREEN (0) on every hit, and on a miss the
 * destination keeps its earlier value (the meter runs on hits only).
 *
 * Input:  in_t = k, sel (bit<8>)
 * Output: in_t, out_t (prof: 1 hit / 2 miss; selr: 1 hit / 2 miss; tmo: entry's v, 0xEE on a
 *         miss; color: the direct meter's reading, preset to 0x77), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8> k;
    bit<8> sel;
}
header out_t {
    bit<8> prof;
    bit<8> selr;
    bit<8> tmo;
    bit<8> color;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { bit<8> color; }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    direct_counter(CounterType.packets_and_bytes) tmo_counter;
    direct_meter<bit<8>>(MeterType.packets) dmeter;

    action set_port(bit<9> port) { sm.egress_spec = port; }
    action set_tmo(bit<8> v) { hdr.o.tmo = v; }
    action no_tmo() { hdr.o.tmo = 0xEE; }
    action metered() { dmeter.read(meta.color); }

    table t_prof {
        key = { hdr.i.k: exact; }
        actions = { set_port; NoAction; }
        @name("prof") implementation = action_profile(32w4);
    }
    table t_sel {
        key = {
            hdr.i.k: exact;
            hdr.i.sel: selector;
        }
        actions = { set_port; NoAction; }
        @name("selector") implementation = action_selector(HashAlgorithm.crc16, 32w8, 32w14);
    }
    table t_tmo {
        key = { hdr.i.k: exact; }
        actions = { set_tmo; no_tmo; }
        default_action = no_tmo();
        support_timeout = true;
        counters = tmo_counter;
    }
    table t_meter {
        key = { hdr.i.k: exact; }
        actions = { metered; NoAction; }
        default_action = NoAction();
        meters = dmeter;
    }

    apply {
        hdr.o.setValid();
        if (t_prof.apply().hit) {
            hdr.o.prof = 1;
        } else {
            hdr.o.prof = 2;
        }
        if (t_sel.apply().hit) {
            hdr.o.selr = 1;
        } else {
            hdr.o.selr = 2;
        }
        t_tmo.apply();
        meta.color = 0x77;
        t_meter.apply();
        hdr.o.color = meta.color;
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
