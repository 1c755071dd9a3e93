/* P4Info golden program: naming and resources.
 *
 * Value sets (one renamed, one of a struct), two instances of one sub-control (one renamed with
 * @name), a top-level action renamed globally (@name(".global_drop")), @id on an action, a table
 * and an action parameter, @brief/@description docs, direct and indirect counters and meters, an
 * action selector, a const table, idle timeout, serializable-enum and translated-type action
 * parameters, digests of a struct (called twice) and of a list, and @pkginfo.
 */
#include <core.p4>
#include <v1model.p4>

type bit<9> port_t;
@p4runtime_translation("p4.org/psa/v1/PortId_t", 32) type bit<9> tport_t;
enum bit<8> Color { Red = 1, Green = 2 }

header h_t { bit<8> a; bit<16> b; bit<32> c; bit<8> d; }
header s_t { bit<8> v; }
@controller_header("packet_in")
header pin_t { @id(3) bit<9> port; bit<7> pad; @id(1) bit<16> reason; }
@controller_header("packet_out")
header pout_t { tport_t port; bit<7> pad; }
struct headers_t { pin_t pin; pout_t pout; h_t h; s_t[3] st; }
struct vsk_t { bit<8> a; bit<16> b; }
struct inner_t { bit<8> x; Color col; }
struct dig_t { bit<8> a; inner_t in1; bool flag; }
struct meta_t { bit<8> x; bit<16> y; bit<9> p; tport_t tp; port_t pp; Color col; }

parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    @name("vs_one") value_set<bit<8>>(4) vs1;
    value_set<vsk_t>(2) vs2;
    state start {
        pkt.extract(hdr.h);
        transition select(hdr.h.a) { vs1: s1; default: s2; }
    }
    state s1 { transition select(hdr.h.a, hdr.h.b) { vs2: accept; default: accept; } }
    state s2 { pkt.extract(hdr.st.next); transition accept; }
}

control Sub(inout headers_t hdr, inout meta_t m) {
    @brief("sets x") @description("Sets \"x\" to v")
    action setx(@id(5) bit<8> v, @name("w2") bit<16> w) { m.x = v; m.y = w; }
    counter(8, CounterType.packets_and_bytes) c;
    table t {
        key = { hdr.h.a: exact @name("a_key"); m.col: exact; }
        actions = { setx; @defaultonly NoAction; }
        size = 64;
    }
    apply { t.apply(); c.count(1); }
}

control VC(inout headers_t hdr, inout meta_t m) { apply { } }

@name(".global_drop") action gdrop() { }

control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    direct_counter(CounterType.bytes) dc;
    direct_meter<bit<8>>(MeterType.bytes) dm;
    @id(0x01000077) action a1(port_t p, tport_t tp, Color col, int<8> s) { m.pp = p; m.tp = tp; m.col = col; m.x = (bit<8>)s; }
    action a2() { dc.count(); }
    action a3() { dm.read(m.x); }
    Sub() s_one;
    @name("renamed") Sub() s_two;
    @name(".regs") register<int<16>>(10) r;
    meter(4, MeterType.packets) mt;
    action_selector(HashAlgorithm.crc16, 32w128, 32w14) sel;
    table tk {
        key = {
            hdr.h.c[15:8]: ternary;
            hdr.h.b & 0xff0: exact;
            hdr.st[1].v: lpm;
            hdr.st[0].isValid(): exact;
            m.tp: exact;
            m.pp: range;
            hdr.h.d: optional;
        }
        actions = { a1; @tableonly a2; }
        counters = dc;
        support_timeout = true;
    }
    table tm {
        key = { m.x: exact; }
        actions = { a3; NoAction; }
        meters = dm;
        const default_action = NoAction();
    }
    @id(200) table tsel {
        key = { m.x: exact; m.y: selector; }
        actions = { a1; gdrop; }
        implementation = sel;
    }
    table tconst {
        key = { m.x: exact; }
        actions = { gdrop; NoAction; }
        const entries = { 1: gdrop(); }
        default_action = gdrop();
    }
    apply {
        tk.apply(); tm.apply(); tsel.apply(); tconst.apply();
        s_one.apply(hdr, m); s_two.apply(hdr, m);
        r.write(0, 16s3);
        mt.execute_meter(0, m.x);
        digest<dig_t>(1, {m.x, {m.x, m.col}, true});
        digest(1, {m.x, m.y});
        digest<dig_t>(1, {1, {2, m.col}, false});
    }
}
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    action a1() { }
    table t { key = { m.x: exact; } actions = { a1; } }
    apply { t.apply(); }
}
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
@pkginfo(name="tricky", version="1.2", organization="p4edge", contact="x@y", url="http://e", arch="v1model")
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
