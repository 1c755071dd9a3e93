/* select: masks, ranges, tuples, first match wins, no match accepts (BMv2), reject accepts (BMv2),
 * and a short packet (PacketTooShort: the unconsumed byte stays in the payload). */
#include <core.p4>
#include <v1model.p4>

header tag_t { bit<8> kind; bit<8> sub; }
header res_t { bit<8> path; bit<8> err; }
struct headers_t { tag_t tag; res_t res; }
struct meta_t { bit<8> path; }

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.tag);
        transition select(hdr.tag.kind, hdr.tag.sub) {
            (0x10 &&& 0xF0, _): masked;
            (0x20 .. 0x2F, 1): range_one;
            (0x20 .. 0x2F, _): range_any;
            (0x30, 0x30): exact_pair;
            (0x31, _): exact_pair;
            (0x40, _): rejecting;
            (0x10, _): shadowed;
        }
    }
    state masked { meta.path = 1; transition accept; }
    state range_one { meta.path = 2; transition accept; }
    state range_any { meta.path = 3; transition accept; }
    state exact_pair { meta.path = 4; transition accept; }
    state rejecting { meta.path = 5; transition reject; }
    state shadowed { meta.path = 6; transition accept; }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.res.setValid();
        hdr.res.path = meta.path;
        hdr.res.err = sm.parser_error == error.NoError ? 8w0 : 8w1;
        sm.egress_spec = 2;
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.tag);
        pkt.emit(hdr.res);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
