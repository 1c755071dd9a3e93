/* Feature test: a sub-parser applied from the main parser.
 *
 * Checks: a parser instance declared inside the main parser and applied from a state; it extracts
 * into headers passed inout, writes metadata passed inout, and takes an `in` argument; it runs its
 * own select; after it returns, the main parser continues with the next transition.
 *
 * Input:  k_t (k, extra) | if k == 1: the sub-parser extracts in1_t, and in2_t when in1.more == 1 |
 *         t_t (1 byte)
 * Output: out_t (seen: what the sub-parser wrote to meta; flags: 1 in1 valid, 2 in2 valid, 4 t
 *         valid), then k_t, in1_t, in2_t, t_t, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header k_t {
    bit<8> k;
    bit<8> extra;
}
header in1_t {
    bit<8> more;
    bit<8> v;
}
header in2_t { bit<8> v; }
header t_t { bit<8> v; }
header out_t {
    bit<8> seen;
    bit<8> flags;
}
struct headers_t { out_t o; k_t k; in1_t in1; in2_t in2; t_t t; }
struct meta_t { bit<8> seen; }

parser InnerParser(packet_in pk, inout headers_t hdr, inout meta_t meta, in bit<8> extra) {
    state start {
        pk.extract(hdr.in1);
        meta.seen = hdr.in1.v + extra;
        transition select(hdr.in1.more) {
            1: second;
            default: accept;
        }
    }
    state second {
        pk.extract(hdr.in2);
        meta.seen = meta.seen + hdr.in2.v;
        transition accept;
    }
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    InnerParser() inner;

    state start {
        pk.extract(hdr.k);
        transition select(hdr.k.k) {
            1: sub;
            default: tail;
        }
    }
    state sub {
        inner.apply(pk, hdr, meta, hdr.k.extra);
        transition tail;
    }
    state tail {
        pk.extract(hdr.t);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.seen = meta.seen;
        hdr.o.flags = 0;
        if (hdr.in1.isValid()) { hdr.o.flags = hdr.o.flags | 1; }
        if (hdr.in2.isValid()) { hdr.o.flags = hdr.o.flags | 2; }
        if (hdr.t.isValid()) { hdr.o.flags = hdr.o.flags | 4; }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.k);
        pk.emit(hdr.in1);
        pk.emit(hdr.in2);
        pk.emit(hdr.t);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
