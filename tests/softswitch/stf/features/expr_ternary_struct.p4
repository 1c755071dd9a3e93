/* Feature test: the conditional operator, struct and tuple initializers.
 *
 * Checks: ?: with a run-time condition and nested ?:; a struct local initialized with a positional
 * list { ... } and reassigned with a named initializer { x = ..., y = ... }; a nested struct
 * initializer; == on two structs; a tuple local initialized with { ... } and read with t[0], t[1];
 * a header assigned from a named initializer (the header becomes valid).
 *
 * Input:  in_t = a, b (bit<8>), w (bit<16>)
 * Output: in_t unchanged, then out_t, then pair_h (made valid by the assignment), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  a;
    bit<8>  b;
    bit<16> w;
}
header out_t {
    bit<8>  max;       // a > b ? a : b
    bit<8>  sel;       // a == 0 ? 0xEE : (a == 1 ? 0x11 : 0x22)
    bit<8>  px;        // p.x after p = { a, a ++ b }
    bit<16> py;        // p.y
    bit<8>  qx;        // q.x after q = { x = b, y = w }
    bit<16> qy;        // q.y
    bit<8>  nz;        // n.z of n = { { b, 0x0102 }, a }
    bit<8>  npx;       // n.p.x
    bit<16> npy;       // n.p.y
    bit<8>  eq;        // 1 if p == q, else 0
    bit<8>  t0;        // t[0] of t = { b, w }
    bit<16> t1;        // t[1]
}
header pair_h {
    bit<8>  x;
    bit<16> y;
}
struct pair_t {
    bit<8>  x;
    bit<16> y;
}
struct nested_t {
    pair_t p;
    bit<8> z;
}
struct headers_t { in_t i; out_t o; pair_h ph; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.max = hdr.i.a > hdr.i.b ? hdr.i.a : hdr.i.b;
        hdr.o.sel = hdr.i.a == 0 ? 8w0xEE : (hdr.i.a == 1 ? 8w0x11 : 8w0x22);
        pair_t p = { hdr.i.a, hdr.i.a ++ hdr.i.b };
        pair_t q;
        q = { x = hdr.i.b, y = hdr.i.w };
        nested_t n = { { hdr.i.b, 16w0x0102 }, hdr.i.a };
        hdr.o.px = p.x;
        hdr.o.py = p.y;
        hdr.o.qx = q.x;
        hdr.o.qy = q.y;
        hdr.o.nz = n.z;
        hdr.o.npx = n.p.x;
        hdr.o.npy = n.p.y;
        hdr.o.eq = (p == q) ? 8w1 : 8w0;
        tuple<bit<8>, bit<16>> t = { hdr.i.b, hdr.i.w };
        hdr.o.t0 = t[0];
        hdr.o.t1 = t[1];
        hdr.ph = { x = hdr.i.b, y = hdr.i.w };
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
        pk.emit(hdr.ph);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
