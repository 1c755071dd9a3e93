/* Feature test: header stacks.
 *
 * Checks (P4TARGET 2, "Header stacks"):
 *  - in the parser, extract(st.next) fills the next free element and st.last is the element just
 *    extracted (a loop until the bottom-of-stack bit is set);
 *  - extracting into a full stack (3 elements) raises StackOutOfBounds; the 3 elements stay valid
 *    and the rest of the packet is payload;
 *  - in ingress: push_front(1) shifts the elements up, drops the last one and leaves element 0
 *    invalid (op 1 then makes it valid and fills it); push_front(2) leaves elements 0 and 1
 *    invalid (op 2); pop_front(1) shifts down and invalidates the last element (op 3);
 *    pop_front(5), more than the size, invalidates everything (op 4); elements are addressed
 *    with constant indices and st.size is 3;
 *  - the deparser emits the valid elements in index order.
 *
 * Input:  in_t.op (bit<8>) | elements elem_t = v (bit<7>), bos (bit<1>) until bos == 1
 * Output: out_t (valid: bit i set when st[i] is valid; size; err: 0 NoError, 3 StackOutOfBounds,
 *         1 PacketTooShort, 9 other), in_t, the stack, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> op; }
header elem_t {
    bit<7> v;
    bit<1> bos;
}
header out_t {
    bit<8> valid;
    bit<8> size;
    bit<8> err;
}
struct headers_t { out_t o; in_t i; elem_t[3] st; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.i);
        transition parse_elem;
    }
    state parse_elem {
        pk.extract(hdr.st.next);
        transition select(hdr.st.last.bos) {
            1: accept;
            default: parse_elem;
        }
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        if (hdr.i.op == 1) {
            hdr.st.push_front(1);
            hdr.st[0].setValid();
            hdr.st[0].v = 0x7F;
            hdr.st[0].bos = 0;
        } else if (hdr.i.op == 2) {
            hdr.st.push_front(2);
        } else if (hdr.i.op == 3) {
            hdr.st.pop_front(1);
        } else if (hdr.i.op == 4) {
            hdr.st.pop_front(5);
        }
        hdr.o.setValid();
        bit<8> f = 0;
        if (hdr.st[0].isValid()) { f = f | 1; }
        if (hdr.st[1].isValid()) { f = f | 2; }
        if (hdr.st[2].isValid()) { f = f | 4; }
        hdr.o.valid = f;
        hdr.o.size = (bit<8>)hdr.st.size;
        if (sm.parser_error == error.NoError) {
            hdr.o.err = 0;
        } else if (sm.parser_error == error.StackOutOfBounds) {
            hdr.o.err = 3;
        } else if (sm.parser_error == error.PacketTooShort) {
            hdr.o.err = 1;
        } else {
            hdr.o.err = 9;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.i);
        pk.emit(hdr.st);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
