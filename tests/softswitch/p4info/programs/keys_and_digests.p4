/* P4Info golden program: key expressions, nesting and digests.
 *
 * Match-field names from every kind of key expression p4c names by itself (slices, masks, stack
 * elements, isValid() of stack elements and union members, enums, bools) and from @name on complex
 * ones; a sub-parser with a value set; a control with a constructor parameter instantiated twice;
 * a top-level counter; an action called directly and one never used; initial entries; a const
 * lpm table with a const default action; digests of a struct and of lists.
 */
#include <core.p4>
#include <v1model.p4>
enum bit<8> Kind { A = 1, B = 2 }
header h_t { bit<8> a; bit<16> b; bit<32> c; }
header u1_t { bit<8> x; }
header u2_t { bit<16> y; }
header_union u_t { u1_t a; u2_t b; }
@controller_header("packet_out")
header pout_t { @id(2) bit<9> egress_port; bit<7> _pad; }
struct headers_t { pout_t po; h_t h; u_t u; h_t[2] hs; }
struct meta_t { bit<8> x; bit<16> y; bool f; Kind k; bit<4> n; }
struct d2_t { bool f; Kind k; bit<4> n; }

counter(4, CounterType.packets) gc;
action top_act(bit<8> v) { }

parser Sub(packet_in pkt, out headers_t hdr) {
    value_set<bit<8>>(2) pvs;
    state start { pkt.extract(hdr.h); transition select(hdr.h.a) { pvs: accept; default: accept; } }
}
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    Sub() sp;
    state start { sp.apply(pkt, hdr); transition accept; }
}
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
control C2(inout meta_t m)(bit<32> sz) {
    direct_counter(CounterType.packets_and_bytes) dc2;
    @name("mm_r") meter(sz, MeterType.bytes) mm;
    action act(bit<4> n) { m.n = n; }
    action unused_act() { }
    table t2 { key = { m.n: ternary; } actions = { act; top_act; } counters = dc2; }
    apply { t2.apply(); mm.execute_meter(0, m.x); }
}
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    C2(32w16) c_a;
    C2(32w8) c_b;
    action only_called() { m.x = 3; }
    action a(bit<8> v) { m.x = v; }
    table keys {
        key = {
            hdr.h.a ++ hdr.h.b: exact @name("cat");
            (bit<16>)hdr.h.a: exact @name("cast");
            hdr.h.c[3:0]: exact;
            hdr.h.b & 16w0xff: ternary;
            hdr.hs[1].a: exact;
            hdr.hs[0].isValid(): exact;
            hdr.u.a.isValid(): exact;
            hdr.u.b.y: exact;
            m.f: exact;
            m.k: exact;
            sm.ingress_port: exact;
        }
        actions = { a; top_act; }
        entries = { (1, 2, 3, 4 &&& 5, 6, true, false, 7, true, Kind.A, 1): a(1); }
    }
    table ce {
        key = { m.x: lpm; }
        actions = { a; }
        const entries = { 1 &&& 0xff : a(2); }
        const default_action = a(3);
        size = 7;
    }
    apply {
        keys.apply(); ce.apply();
        only_called();
        c_a.apply(m); c_b.apply(m);
        gc.count(1);
        digest<d2_t>(0, {m.f, m.k, m.n});
        digest(0, {m.x});
        digest(0, {m.y, hdr.h});
    }
}
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply { } }
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
