/* Feature test: if/else, exit, return, functions and sub-controls.
 *
 * Checks:
 *  - functions with a return value (an early return inside if/else) and with an inout parameter;
 *  - a sub-control with a constructor parameter, instantiated twice with different arguments;
 *  - if / else if / else chains;
 *  - op 1: `exit` in an action called from ingress ends ingress (the statements after it do not run)
 *    but the packet is not dropped: it goes to the port set before, and egress runs;
 *  - op 2: `exit` inside a sub-control ends the whole ingress, not just the sub-control;
 *  - op 3: `return` in a sub-control ends only the sub-control; ingress goes on;
 *  - op 4: `return` in ingress's apply ends ingress; egress still runs;
 *  - op 5: `exit` from the default action of a keyless table;
 *  - op 6: `exit` in egress ends egress (the packet is still sent, with what egress wrote before);
 *  - other ops: everything runs.
 *
 * Input:  in_t = op, x, y (bit<8>)
 * Output: in_t, out_t, then the payload, on port 1 (set first thing in ingress).
 *   r_max = max8(x, y); r_clamp = clamp(x) (x > 100 -> 100); r_add = x + 3 + 5 (two Adder
 *   instances); r_sub: 0x5E written by the sub-controls before exit/return; r_after = 0xAF if the
 *   end of ingress ran; e_mark = 0xE9 written at the end of egress (0xE6 before its exit, op 6).
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8> op;
    bit<8> x;
    bit<8> y;
}
header out_t {
    bit<8> r_max;
    bit<8> r_clamp;
    bit<8> r_add;
    bit<8> r_sub;
    bit<8> r_after;
    bit<8> e_mark;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

bit<8> max8(in bit<8> a, in bit<8> b) {
    if (a > b) {
        return a;
    } else {
        return b;
    }
}

bit<8> clamp(inout bit<8> v) {
    if (v > 100) {
        v = 100;
        return 1;
    }
    return 0;
}

control Adder(inout bit<8> v)(bit<8> amount) {
    apply {
        v = v + amount;
    }
}

control ExitingSub(inout headers_t hdr) {
    apply {
        hdr.o.r_sub = 0x5E;
        exit;
    }
}

control ReturningSub(inout headers_t hdr) {
    apply {
        hdr.o.r_sub = 0x5E;
        if (hdr.i.op == 3) {
            return;
        }
        hdr.o.r_sub = 0xBB;
    }
}

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    Adder(8w3) add3;
    Adder(8w5) add5;
    ExitingSub() exiting;
    ReturningSub() returning;

    action stop() {
        hdr.o.r_sub = 0x51;
        exit;
    }
    table t_exit {
        actions = { stop; }
        default_action = stop();
    }

    apply {
        sm.egress_spec = 1;
        hdr.o.setValid();
        hdr.o.r_max = max8(hdr.i.x, hdr.i.y);
        bit<8> c = hdr.i.x;
        bit<8> clamped = clamp(c);
        hdr.o.r_clamp = c + (clamped << 7);
        hdr.o.r_add = hdr.i.x;
        add3.apply(hdr.o.r_add);
        add5.apply(hdr.o.r_add);
        if (hdr.i.op == 1) {
            stop();
            hdr.o.r_sub = 0xBB;
        } else if (hdr.i.op == 2) {
            exiting.apply(hdr);
            hdr.o.r_sub = 0xBB;
        } else if (hdr.i.op == 3) {
            returning.apply(hdr);
        } else if (hdr.i.op == 4) {
            return;
        } else if (hdr.i.op == 5) {
            t_exit.apply();
        } else {
            hdr.o.r_sub = 0x0E;
        }
        hdr.o.r_after = 0xAF;
    }
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        if (hdr.i.op == 6) {
            hdr.o.e_mark = 0xE6;
            exit;
        }
        hdr.o.e_mark = 0xE9;
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
