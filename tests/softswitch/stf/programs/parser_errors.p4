/* Parser errors as BMv2 raises them: varbit lengths, stack overflow, verify with a user error,
 * advance (consumed bytes leave the packet), lookahead (consumes nothing). */
#include <core.p4>
#include <v1model.p4>

error { BadLength }

header len_t { bit<8> n; bit<8> kind; }
header opt_t { bit<8> a; varbit<32> data; }
header item_t { bit<8> v; }
header res_t { bit<8> err; bit<8> nitems; bit<8> la; }
struct headers_t { len_t len; opt_t opt; item_t[2] items; res_t res; }
struct meta_t { bit<8> la; }

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.len);
        transition select(hdr.len.kind) {
            1: parse_opt;
            2: parse_items;
            3: do_verify;
            4: do_advance;
            5: do_lookahead;
            default: accept;
        }
    }
    state parse_opt {
        pkt.extract(hdr.opt, (bit<32>) hdr.len.n);
        transition accept;
    }
    state parse_items {
        pkt.extract(hdr.items.next);
        transition select(hdr.items.last.v) {
            0: accept;
            default: parse_items;
        }
    }
    state do_verify {
        verify(hdr.len.n == 7, error.BadLength);
        transition accept;
    }
    state do_advance {
        pkt.advance((bit<32>) hdr.len.n);
        transition accept;
    }
    state do_lookahead {
        meta.la = pkt.lookahead<bit<8>>();
        transition accept;
    }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.res.setValid();
        if (sm.parser_error == error.NoError) {
            hdr.res.err = 0;
        } else if (sm.parser_error == error.PacketTooShort) {
            hdr.res.err = 1;
        } else if (sm.parser_error == error.StackOutOfBounds) {
            hdr.res.err = 3;
        } else if (sm.parser_error == error.HeaderTooShort) {
            hdr.res.err = 4;
        } else if (sm.parser_error == error.ParserInvalidArgument) {
            hdr.res.err = 6;
        } else if (sm.parser_error == error.BadLength) {
            hdr.res.err = 7;
        } else {
            hdr.res.err = 0xFF;
        }
        hdr.res.nitems = (hdr.items[0].isValid() ? 8w1 : 8w0) + (hdr.items[1].isValid() ? 8w1 : 8w0);
        hdr.res.la = meta.la;
        sm.egress_spec = 1;
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.len);
        pkt.emit(hdr.opt);
        pkt.emit(hdr.items);
        pkt.emit(hdr.res);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
