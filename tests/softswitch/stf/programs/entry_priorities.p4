// Initial entries of a ternary table with `priority = N:` and largest_priority_wins: BMv2 (as
// p4c's back-end writes its JSON) orders them by @priority(N) when given, else by position, so
// the first listed matching entry wins whatever the `priority =` values say.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> k;
    bit<8> k2;
    bit<8> r;
    bit<8> r2;
}

struct headers_t {
    h_t h;
}

struct meta_t {}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    action set(bit<8> v) { hdr.h.r = v; }
    action set2(bit<8> v) { hdr.h.r2 = v; }
    table t {
        key = { hdr.h.k: ternary; }
        actions = { set; }
        largest_priority_wins = true;
        entries = {
            priority = 10: 0x01 &&& 0xFF : set(1);
            priority = 20: 0x01 &&& 0x0F : set(2);
            priority = 30: 0x00 &&& 0x00 : set(3);
        }
    }
    table t2 {
        key = { hdr.h.k2: ternary; }
        actions = { set2; }
        const entries = {
            0x05 &&& 0xFF : set2(1) @priority(3);
            0x05 &&& 0x0F : set2(2) @priority(2);
            0x00 &&& 0x00 : set2(3);
        }
    }
    apply {
        t.apply();
        t2.apply();
        sm.egress_spec = 1;
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply { pkt.emit(hdr.h); }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
