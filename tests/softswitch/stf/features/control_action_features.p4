/* Feature test: what an action body may hold.
 *
 * Checks: if/else inside an action (p4c-bm2-ss turns it into jumps); `return` in an action ends
 * only that action (t3: the write after it is skipped when v == 0); an action calling another
 * action with directional arguments; an action local with an initializer computed from a
 * parameter; ?: inside an action; action parameters of type int<8> (0xFB from the entry is -5, and
 * >> on it is arithmetic), bit<1> used as a condition, and a serializable enum, all given by STF
 * `add`; a default action with a negative int<8> argument and an enum argument. (The flag is bit<1>,
 * not bool: p4c-bm2-ss refuses a bool action parameter, as it allows only bit<> and int<>.)
 *
 * Input:  in_t = k, a (bit<8>)
 * Output: in_t, out_t (cond: 1 if v > 10 else 2; nested: a + v + 1; local: v + 1; sv: (bit<8>)(sv
 *         >> 1); flag: 1 / 0, 0xAA from the default action; mode: the enum's value; ret: 1 + 0x10
 *         after an early return, else v + 0x10), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

enum bit<8> Mode { Off = 0, On = 1, Auto = 7 }

header in_t {
    bit<8> k;
    bit<8> a;
}
header out_t {
    bit<8> cond;
    bit<8> nested;
    bit<8> local;
    bit<8> sv;
    bit<8> flag;
    bit<8> mode;
    bit<8> ret;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action inner(inout bit<8> x, in bit<8> d) {
        x = x + d;
    }
    action outer(bit<8> v) {
        bit<8> t = v + 1;
        if (v > 10) {
            hdr.o.cond = 1;
        } else {
            hdr.o.cond = 2;
        }
        inner(hdr.o.nested, t);
        hdr.o.local = t;
    }
    action typed(int<8> sv, bit<1> flag, Mode mode) {
        hdr.o.sv = (bit<8>)(sv >> 1);
        hdr.o.flag = flag == 1 ? 8w1 : 8w0;
        hdr.o.mode = (bit<8>)mode;
    }
    action signed_default(int<8> sv, Mode mode) {
        hdr.o.sv = (bit<8>)(sv >> 1);
        hdr.o.flag = 0xAA;
        hdr.o.mode = (bit<8>)mode;
    }

    action early(bit<8> v) {
        hdr.o.ret = 1;
        if (v == 0) {
            return;
        }
        hdr.o.ret = v;
    }

    table t1 {
        key = { hdr.i.k: exact; }
        actions = { outer; NoAction; }
        default_action = NoAction();
    }
    table t2 {
        key = { hdr.i.k: exact; }
        actions = { typed; signed_default; }
        default_action = signed_default(-2, Mode.Auto);
    }

    table t3 {
        key = { hdr.i.k: exact; }
        actions = { early; NoAction; }
        default_action = early(0);
    }

    apply {
        hdr.o.setValid();
        hdr.o.nested = hdr.i.a;
        t1.apply();
        t2.apply();
        t3.apply();
        hdr.o.ret = hdr.o.ret + 0x10;
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
