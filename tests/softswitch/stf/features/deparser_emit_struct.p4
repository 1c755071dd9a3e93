/* Feature test: emitting a whole struct of headers.
 *
 * Checks: pk.emit(hdr) on a struct emits every valid header in field order, recursing into a
 * nested struct, a header stack (its valid elements in index order) and a header union (its valid
 * member); invalid headers are skipped wherever they are; the order is the struct's field order,
 * not the order in which the parser extracted them (here c is extracted before b).
 *
 * Input:  a_t (1 byte: which, where bit 0 set means "b present", bit 1 "u.w instead of u.b")
 *         | c_t (1 byte) | b_t (1 byte) when bit 0 | stack elements (2 bytes) | u.b (1) or u.w (2)
 * Output: a, inner.b, inner.c, the stack, the union, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header a_t { bit<8> which; }
header b_t { bit<8> v; }
header c_t { bit<8> v; }
header e_t { bit<8> v; }
header w_t { bit<16> v; }
header_union u_t { b_t b; w_t w; }
struct inner_t {
    b_t b;
    c_t c;
}
struct headers_t {
    a_t     a;
    inner_t inner;
    e_t[3]  st;
    u_t     u;
}
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.a);
        pk.extract(hdr.inner.c);
        transition select(hdr.a.which[0:0]) {
            1: get_b;
            default: get_stack;
        }
    }
    state get_b {
        pk.extract(hdr.inner.b);
        transition get_stack;
    }
    state get_stack {
        pk.extract(hdr.st.next);
        pk.extract(hdr.st.next);
        transition select(hdr.a.which[1:1]) {
            1: get_w;
            default: get_ub;
        }
    }
    state get_w { pk.extract(hdr.u.w); transition accept; }
    state get_ub { pk.extract(hdr.u.b); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
