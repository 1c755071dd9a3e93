/* Feature test: types and declarations.
 *
 * Checks: typedef (also of a typedef), `type` (a new type) in a header, a plain enum used in a local,
 * a serializable enum as a header field (values inside and outside its member list), const of bit,
 * int and bool type, a custom error read back through parser_error, a custom match_kind declaration,
 * bit<W>, int<W> and bool header fields, a header_union filled by the parser (which member is valid
 * is observable), and a two-element header stack.
 *
 * Input:  in_t (6 bytes) | union member a (1 byte) or b (2 bytes), chosen by in.kind | 2 stack bytes
 * Output: the same headers, then out_t (8 bytes) with the results, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

typedef bit<8> byte_t;
typedef byte_t kind_t;
type bit<16> tag_t;

enum Color { Red, Green, Blue }
enum bit<8> Proto { Small = 0x01, Large = 0x02, Other = 0x7F }

const byte_t MAGIC = 0xA5;
const int<8> NEG_THREE = -3;
const bool YES = true;

error { UnknownProto }
match_kind { custom_kind }

header in_t {
    kind_t kind;
    Proto  proto;
    tag_t  tag;
    int<8> s;
    bool   flag;
    bit<7> pad;
}
header a_t { bit<8> v; }
header b_t { bit<16> v; }
header_union ab_t { a_t a; b_t b; }
header elem_t { bit<8> v; }
header out_t {
    bit<8>  color;      // Red 1, Green 2, Blue 3
    bit<8>  proto_num;  // (bit<8>)in.proto
    bit<16> tag_plus;   // (bit<16>)in.tag + 1
    bit<8>  s_minus3;   // (bit<8>)(in.s + NEG_THREE)
    bit<8>  magic_x;    // in.kind ^ MAGIC
    bit<8>  flags;      // 1: in.flag, 2: u.a valid, 4: u.b valid, 8: u valid
    bit<8>  err;        // 0 NoError, 1 UnknownProto, 2 other
}

struct headers_t {
    in_t      h;
    ab_t      u;
    elem_t[2] st;
    out_t     o;
}
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.h);
        transition select(hdr.h.kind) {
            1: get_a;
            2: get_b;
            default: get_stack;
        }
    }
    state get_a { pk.extract(hdr.u.a); transition get_stack; }
    state get_b { pk.extract(hdr.u.b); transition get_stack; }
    state get_stack {
        pk.extract(hdr.st.next);
        pk.extract(hdr.st.next);
        verify(hdr.h.proto != Proto.Other, error.UnknownProto);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        Color c;
        if (hdr.h.proto == Proto.Small) {
            c = Color.Red;
        } else if (hdr.h.proto == Proto.Large) {
            c = Color.Green;
        } else {
            c = Color.Blue;
        }
        hdr.o.setValid();
        if (c == Color.Red) {
            hdr.o.color = 1;
        } else if (c == Color.Green) {
            hdr.o.color = 2;
        } else {
            hdr.o.color = 3;
        }
        hdr.o.proto_num = (bit<8>)hdr.h.proto;
        hdr.o.tag_plus = (bit<16>)hdr.h.tag + 16w1;
        hdr.o.s_minus3 = (bit<8>)(hdr.h.s + NEG_THREE);
        hdr.o.magic_x = hdr.h.kind ^ MAGIC;
        byte_t f = 0;
        if (YES && hdr.h.flag) { f = f | 1; }
        if (hdr.u.a.isValid()) { f = f | 2; }
        if (hdr.u.b.isValid()) { f = f | 4; }
        if (hdr.u.isValid()) { f = f | 8; }
        hdr.o.flags = f;
        if (sm.parser_error == error.NoError) {
            hdr.o.err = 0;
        } else if (sm.parser_error == error.UnknownProto) {
            hdr.o.err = 1;
        } else {
            hdr.o.err = 2;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.h);
        pk.emit(hdr.u);
        pk.emit(hdr.st);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
