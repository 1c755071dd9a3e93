// Direct meters and counters, and externs constructed in place in table properties.
// lpm_meter: read() in an action of its table; the table writes the colour on a hit, before the
// action runs, and leaves the destination alone on a miss (even when the default action reads).
// The other tables construct their action selector, action profile, direct counter and direct
// meter in place, without @name.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8>  op;
    bit<32> dst;
    bit<8>  color;   // meta.color after ingress
    bit<8>  seen;    // meta.color as the action saw it
    bit<8>  tag;
}

struct headers_t {
    h_t h;
}

struct meta_t {
    bit<8>  color;
    bit<16> hash1;
}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    direct_meter<bit<8>>(MeterType.packets) lpm_meter;

    action meter_fwd(bit<9> port) {
        lpm_meter.read(meta.color);
        hdr.h.seen = meta.color;
        sm.egress_spec = port;
    }
    action plain_fwd(bit<9> port) {
        hdr.h.seen = meta.color;
        sm.egress_spec = port;
    }
    action miss_read() {
        lpm_meter.read(meta.color);
        hdr.h.seen = meta.color;
        hdr.h.tag = 0xEE;
    }
    table lpm {
        key = { hdr.h.dst: lpm; }
        actions = { meter_fwd; plain_fwd; miss_read; }
        default_action = miss_read();
        meters = lpm_meter;
    }

    action set_tag(bit<8> t) { hdr.h.tag = t; }
    action no_tag() { }
    table sel {
        key = { hdr.h.dst: exact; meta.hash1: selector; }
        actions = { set_tag; no_tag; }
        implementation = action_selector(HashAlgorithm.crc16, 32w64, 32w14);
    }
    table prof {
        key = { hdr.h.dst: exact; }
        actions = { set_tag; no_tag; }
        implementation = action_profile(32w128);
    }
    table cnt {
        key = { hdr.h.dst: exact; }
        actions = { set_tag; no_tag; }
        counters = direct_counter(CounterType.packets);
    }
    table mtr {
        key = { hdr.h.dst: exact; }
        actions = { set_tag; no_tag; }
        meters = direct_meter<bit<8>>(MeterType.bytes);
    }

    apply {
        if (hdr.h.op == 1) {
            meta.color = 0x55;  // a miss must leave this alone
            lpm.apply();
            hdr.h.color = meta.color;
        } else {
            sel.apply();
            prof.apply();
            cnt.apply();
            mtr.apply();
            sm.egress_spec = 3;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply { pkt.emit(hdr.h); }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
