/* Feature test: lookahead and advance.
 *
 * Checks: lookahead<bit<8>>() peeks without consuming (the peeked byte is then extracted again);
 * lookahead<tag_t>() of a whole header type; advance(n) skips n bits, and the skipped bytes are
 * missing from the output (P4TARGET 2); advance past the end and lookahead past the end give
 * PacketTooShort, consume nothing, and leave the remaining bytes as payload.
 *
 * Input:  first byte = kind. kind 1: tag_t (kind, len) | len bytes skipped | a_t (2 bytes)
 *                            kind 2: tag_t | a_t  (tag_t is first peeked with lookahead<tag_t>)
 *                            other: nothing extracted
 * Output: out_t (peek, peek_len, err, flags), then tag_t, a_t, then the payload.
 *   err: 0 NoError, 1 PacketTooShort, 9 other;  flags: 1 tag valid, 2 a valid
 */
#include <core.p4>
#include <v1model.p4>

header tag_t {
    bit<8> kind;
    bit<8> len;
}
header a_t { bit<16> v; }
header out_t {
    bit<8> peek;
    bit<8> peek_len;
    bit<8> err;
    bit<8> flags;
}
struct headers_t { out_t o; tag_t tag; a_t a; }
struct meta_t {
    bit<8> peek;
    bit<8> peek_len;
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        bit<8> k = pk.lookahead<bit<8>>();
        meta.peek = k;
        transition select(k) {
            1: skip_then_a;
            2: peek_whole_tag;
            default: accept;
        }
    }
    state skip_then_a {
        pk.extract(hdr.tag);
        pk.advance(((bit<32>)hdr.tag.len) << 3);
        pk.extract(hdr.a);
        transition accept;
    }
    state peek_whole_tag {
        tag_t t = pk.lookahead<tag_t>();
        meta.peek_len = t.len;
        pk.extract(hdr.tag);
        pk.extract(hdr.a);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.peek = meta.peek;
        hdr.o.peek_len = meta.peek_len;
        if (sm.parser_error == error.NoError) {
            hdr.o.err = 0;
        } else if (sm.parser_error == error.PacketTooShort) {
            hdr.o.err = 1;
        } else {
            hdr.o.err = 9;
        }
        bit<8> f = 0;
        if (hdr.tag.isValid()) { f = f | 1; }
        if (hdr.a.isValid()) { f = f | 2; }
        hdr.o.flags = f;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.tag);
        pk.emit(hdr.a);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
