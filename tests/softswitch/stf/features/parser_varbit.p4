/* Feature test: varbit headers and the two-argument extract.
 *
 * Checks: extract(hdr, n) of a header with a fixed field and a varbit<64> field, n taken from the
 * packet (in bits): n = 0 (empty varbit), 16, 64 (the maximum); the varbit is emitted with the
 * length it was extracted with. Errors (P4TARGET 2; BMv2 checks in this order): n not a multiple of
 * 8 gives ParserInvalidArgument; too few bytes for 1 + n/8 gives PacketTooShort; n > 64 with enough
 * bytes gives HeaderTooShort. In each case the header is not extracted, the length byte stays
 * consumed, the rest of the packet stays payload, and the packet still goes through ingress.
 *
 * Input:  len_t.bits (bit<8>) | opt_t = kind (bit<8>) + data (bits bits) | tail_t (1 byte)
 * Output: out_t (err code, validity flags) first, then len_t, opt_t, tail_t, then the payload.
 *   err: 0 NoError, 1 PacketTooShort, 4 HeaderTooShort, 6 ParserInvalidArgument, 9 other
 *   flags: 1 opt valid, 2 tail valid
 */
#include <core.p4>
#include <v1model.p4>

header len_t { bit<8> bits; }
header opt_t {
    bit<8>      kind;
    varbit<64>  data;
}
header tail_t { bit<8> t; }
header out_t {
    bit<8> err;
    bit<8> flags;
}
struct headers_t { out_t o; len_t l; opt_t opt; tail_t tail; }
struct meta_t { }

bit<8> error_code(in error e) {
    if (e == error.NoError) {
        return 0;
    } else if (e == error.PacketTooShort) {
        return 1;
    } else if (e == error.HeaderTooShort) {
        return 4;
    } else if (e == error.ParserInvalidArgument) {
        return 6;
    }
    return 9;
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.l);
        pk.extract(hdr.opt, (bit<32>)hdr.l.bits);
        pk.extract(hdr.tail);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.err = error_code(sm.parser_error);
        bit<8> f = 0;
        if (hdr.opt.isValid()) { f = f | 1; }
        if (hdr.tail.isValid()) { f = f | 2; }
        hdr.o.flags = f;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.l);
        pk.emit(hdr.opt);
        pk.emit(hdr.tail);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
