/* Tables: exact, lpm (longest prefix wins), ternary (larger STF priority wins), default actions
 * (declared, NoAction inserted by p4c, changed by setdefault), hit/miss, switch on action_run,
 * const entries (the first listed wins). */
#include <core.p4>
#include <v1model.p4>

header k_t { bit<8> e; bit<16> ip; bit<8> t; }
header res_t { bit<8> exact_r; bit<8> lpm_r; bit<8> tern_r; bit<8> flags; bit<8> const_r; }
struct headers_t { k_t k; res_t res; }
struct meta_t { }

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.k); transition accept; }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action set_e(bit<8> v) { hdr.res.exact_r = v; }
    action miss_e() { hdr.res.exact_r = 0xEE; }
    action set_l(bit<8> v) { hdr.res.lpm_r = v; }
    action set_t(bit<8> v) { hdr.res.tern_r = v; }
    action set_c(bit<8> v) { hdr.res.const_r = v; }

    table t_exact {
        key = { hdr.k.e : exact; }
        actions = { set_e; miss_e; }
        default_action = miss_e();
    }
    table t_lpm {
        key = { hdr.k.ip : lpm; }
        actions = { set_l; }
    }
    table t_tern {
        key = { hdr.k.t : ternary; }
        actions = { set_t; NoAction; }
        default_action = NoAction();
    }
    table t_const {
        key = { hdr.k.t : ternary; }
        actions = { set_c; }
        default_action = set_c(0xCC);
        const entries = {
            0x10 &&& 0xF0 : set_c(1);
            0x11 : set_c(2);
            0x20 &&& 0xF0 : set_c(3);
        }
    }

    apply {
        hdr.res.setValid();
        bit<8> f = 0;
        if (t_exact.apply().hit) {
            f = f | 1;
        }
        switch (t_lpm.apply().action_run) {
            set_l: { f = f | 2; }
            default: { f = f | 4; }
        }
        if (t_tern.apply().miss) {
            f = f | 8;
        }
        t_const.apply();
        hdr.res.flags = f;
        sm.egress_spec = 1;
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.k);
        pkt.emit(hdr.res);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
