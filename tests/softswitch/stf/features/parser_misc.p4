/* Feature test: more parser statements and select forms.
 *
 * Checks: select directly on pk.lookahead<bit<8>>(); extracting the same header twice (the second
 * extract overwrites it and the first bytes are consumed, so they are gone from the output);
 * extracting both members of a header union (only the last one stays valid); select on two slices
 * of a field; select on a bool expression with true / false cases; assignments to header fields
 * and setInvalid() inside parser states.
 *
 * Input:  first byte = kind, peeked. 1: first_t twice. 2: first_t, u.b (1 byte), u.w (2 bytes).
 *         3: first_t, again_t, select on (again[7:4], again[0:0]) == (0xA, 1) -> again.v + 1.
 *         other: first_t, select on first.v == 0x10: true -> tail_t and first.setInvalid().
 * Output: out_t (path; flags: 1 first, 2 again, 4 u.b, 8 u.w, 16 tail), first_t, again_t, the
 *         union, tail_t, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header byte_t { bit<8> v; }
header word_t { bit<16> v; }
header_union u_t { byte_t b; word_t w; }
header out_t {
    bit<8> path;
    bit<8> flags;
}
struct headers_t { out_t o; byte_t first; byte_t again; u_t u; byte_t tail; }
struct meta_t { bit<8> path; }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        transition select(pk.lookahead<bit<8>>()) {
            0x01: reextract;
            0x02: union_twice;
            0x03: by_slice;
            default: by_bool;
        }
    }
    state reextract {
        pk.extract(hdr.first);
        pk.extract(hdr.first);
        meta.path = 1;
        transition accept;
    }
    state union_twice {
        pk.extract(hdr.first);
        pk.extract(hdr.u.b);
        pk.extract(hdr.u.w);
        meta.path = 2;
        transition accept;
    }
    state by_slice {
        pk.extract(hdr.first);
        pk.extract(hdr.again);
        transition select(hdr.again.v[7:4], hdr.again.v[0:0]) {
            (4w0xA, 1w1): slice_hit;
            default: accept;
        }
    }
    state slice_hit {
        hdr.again.v = hdr.again.v + 1;
        meta.path = 3;
        transition accept;
    }
    state by_bool {
        pk.extract(hdr.first);
        transition select(hdr.first.v == 0x10) {
            true: bool_true;
            false: bool_false;
        }
    }
    state bool_true {
        meta.path = 4;
        pk.extract(hdr.tail);
        hdr.first.setInvalid();
        transition accept;
    }
    state bool_false {
        meta.path = 5;
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.path = meta.path;
        bit<8> f = 0;
        if (hdr.first.isValid()) { f = f | 1; }
        if (hdr.again.isValid()) { f = f | 2; }
        if (hdr.u.b.isValid()) { f = f | 4; }
        if (hdr.u.w.isValid()) { f = f | 8; }
        if (hdr.tail.isValid()) { f = f | 16; }
        hdr.o.flags = f;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.first);
        pk.emit(hdr.again);
        pk.emit(hdr.u);
        pk.emit(hdr.tail);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
