/* Feature test: an exact-match table filled by STF `add`.
 *
 * Checks: a key of two exact fields plus hdr.opt.isValid() (written hdr.opt.$valid$ in STF);
 * entries differing only in the validity bit; a hit runs the entry's action with the entry's
 * parameter; a miss runs the default action; the all-zero key does not match when no entry has it;
 * adding an existing key again is refused (the first entry stays); `setdefault` changes what a miss
 * runs from then on.
 *
 * Input:  in_t = a (bit<8>), b (bit<16>), has_opt (bit<8>) | opt_t (1 byte) when has_opt == 1
 * Output: in_t, opt_t, then out_t.r (the entry's v; 0xEE for the initial default), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  a;
    bit<16> b;
    bit<8>  has_opt;
}
header opt_t { bit<8> v; }
header out_t { bit<8> r; }
struct headers_t { in_t i; opt_t opt; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.i);
        transition select(hdr.i.has_opt) {
            1: parse_opt;
            default: accept;
        }
    }
    state parse_opt { pk.extract(hdr.opt); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action hit_act(bit<8> v) { hdr.o.r = v; }
    action miss_act() { hdr.o.r = 0xEE; }

    table t {
        key = {
            hdr.i.a: exact;
            hdr.i.b: exact;
            hdr.opt.isValid(): exact;
        }
        actions = { hit_act; miss_act; }
        default_action = miss_act();
    }

    apply {
        hdr.o.setValid();
        hdr.o.r = 0;
        t.apply();
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.opt);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
