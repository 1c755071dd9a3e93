/* Feature test: control locals, action parameters, copy-in/copy-out.
 *
 * Checks:
 *  - a table action with directionless parameters whose values come from the entry (STF `add`);
 *  - a table action with a directional parameter bound in the table's action list (only its
 *    directionless parameter comes from the entry);
 *  - actions called directly with in / inout / out arguments;
 *  - copy-in: an `in` argument keeps the value it had at the call even when the callee changes
 *    the same field through an inout parameter;
 *  - copy-out order: the same field passed to two inout parameters ends with the value of the
 *    last (rightmost) parameter;
 *  - a sub-control with in / inout parameters (copied in at apply, copied out at the end);
 *  - local variables of the control, of an action, and of the apply block.
 *
 * Input:  in_t = k, a, b (bit<8>)
 * Output: in_t, then out_t, then the payload. The entry for k sets the egress port.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8> k;
    bit<8> a;
    bit<8> b;
}
header out_t {
    bit<8> from_entry;   // set_val's v, 0xEE on a miss
    bit<8> bound;        // a + d, d from the entry of t_bound (unchanged a on a miss)
    bit<8> copy_in;      // in_then_inout(a, x) with x == a: x = 0; x = x + v + 1  -> a + 1
    bit<8> copy_out;     // two_inout(x, x) with x == a: x = x + 1, y = y + 2, copy-out -> a + 2
    bit<8> swapped_a;    // swap(a, b)
    bit<8> swapped_b;
    bit<8> out_param;    // produce(r): r = b ^ 0xFF
    bit<8> sub;          // Sub: x = x + y * 2 with x = a, y = b
    bit<8> counter;      // control local incremented in two actions
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

control Sub(inout bit<8> x, in bit<8> y) {
    apply {
        bit<8> twice = y + y;
        x = x + twice;
    }
}

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    bit<8> ctl_local = 0x10;
    Sub() sub;

    action set_val(bit<8> v, bit<9> port) {
        hdr.o.from_entry = v;
        sm.egress_spec = port;
    }
    action miss_val() {
        hdr.o.from_entry = 0xEE;
        sm.egress_spec = 1;
    }
    action add_d(inout bit<8> x, bit<8> d) {
        x = x + d;
    }
    action in_then_inout(in bit<8> v, inout bit<8> x) {
        x = 0;
        x = x + v + 1;
    }
    action two_inout(inout bit<8> x, inout bit<8> y) {
        x = x + 1;
        y = y + 2;
    }
    action swap(inout bit<8> x, inout bit<8> y) {
        bit<8> t = x;
        x = y;
        y = t;
    }
    action produce(out bit<8> r) {
        r = hdr.i.b ^ 0xFF;
    }
    action bump() {
        ctl_local = ctl_local + 1;
    }

    table t_val {
        key = { hdr.i.k: exact; }
        actions = { set_val; miss_val; }
        default_action = miss_val();
    }
    table t_bound {
        key = { hdr.i.k: exact; }
        actions = { add_d(hdr.o.bound); NoAction; }
        default_action = NoAction();
    }

    apply {
        hdr.o.setValid();
        t_val.apply();
        hdr.o.bound = hdr.i.a;
        t_bound.apply();
        hdr.o.copy_in = hdr.i.a;
        in_then_inout(hdr.o.copy_in, hdr.o.copy_in);
        hdr.o.copy_out = hdr.i.a;
        two_inout(hdr.o.copy_out, hdr.o.copy_out);
        hdr.o.swapped_a = hdr.i.a;
        hdr.o.swapped_b = hdr.i.b;
        swap(hdr.o.swapped_a, hdr.o.swapped_b);
        produce(hdr.o.out_param);
        hdr.o.sub = hdr.i.a;
        sub.apply(hdr.o.sub, hdr.i.b);
        bump();
        bump();
        hdr.o.counter = ctl_local;
    }
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
