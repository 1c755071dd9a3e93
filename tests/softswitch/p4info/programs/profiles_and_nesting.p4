/* P4Info golden program: action profiles and nested sub-controls.
 *
 * Sub-controls two levels deep (aliases must stay unique), an action selector with
 * @max_group_size and @name, an action profile, in-place action profile and direct counter with
 * @name, a direct meter, idle timeout, @id on a table, and a @hidden table.
 */
#include <core.p4>
#include <v1model.p4>
header h_t { bit<8> a; bit<16> b; }
struct headers_t { h_t h; }
struct meta_t { bit<8> x; bit<16> y; bit<8> c; }
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
control Inner(inout meta_t m) {
    action set(bit<8> v) { m.x = v; }
    table t { key = { m.x: exact; } actions = { set; } }
    apply { t.apply(); }
}
control Mid(inout meta_t m) {
    Inner() i1;
    Inner() i2;
    table t { key = { m.y: exact; } actions = { NoAction; } }
    apply { i1.apply(m); i2.apply(m); t.apply(); }
}
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    Mid() mid;
    @max_group_size(64) @name("sel_prof") action_selector(HashAlgorithm.crc32, 32w256, 32w16) sel;
    action_profile(32w100) prof;
    direct_meter<bit<8>>(MeterType.packets) dm;
    action a(bit<8> v) { m.x = v; }
    action b() { dm.read(m.c); }
    @id(0x02000001) table t1 { key = { m.x: exact; m.y: selector; } actions = { a; } implementation = sel; }
    table t2 { key = { m.x: exact; } actions = { a; } implementation = prof; }
    table t3 { key = { m.x: exact; } actions = { a; } @name("inplace_prof") implementation = action_profile(32w10); }
    table t4 { key = { m.x: exact; } actions = { b; } meters = dm; support_timeout = true; }
    @hidden table t5 { key = { m.x: exact; } actions = { a; } }
    table t6 { key = { m.y: exact; } actions = { a; } @name("inplace_ctr") counters = direct_counter(CounterType.packets); }
    apply { mid.apply(m); t1.apply(); t2.apply(); t3.apply(); t4.apply(); t5.apply(); t6.apply(); }
}
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    Inner() i1;
    apply { i1.apply(m); }
}
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
