// hash() over a list mixing bit<W>, bool, a serializable enum, a plain enum and an error:
// BMv2 packs bool as 1 bit, a serializable enum as its underlying type, and plain enums and
// errors as 32-bit values (member position, error code).
#include <core.p4>
#include <v1model.p4>

enum bit<8> SE { X = 1, Y = 0x80 }
enum Plain { P0, P1, P2 }

header h_t {
    bit<8>  a;
    bit<8>  f;
    bit<8>  e;
    bit<8>  p;
    bit<4>  b;
    bit<4>  pad;
    bit<32> res;
}

struct headers_t {
    h_t h;
}

struct meta_t {
    bool  flag;
    SE    e;
    Plain p;
    error err;
}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        meta.flag = hdr.h.f != 0;
        meta.e = (SE) hdr.h.e;
        if (hdr.h.p == 0) {
            meta.p = Plain.P0;
        } else if (hdr.h.p == 1) {
            meta.p = Plain.P1;
        } else {
            meta.p = Plain.P2;
        }
        meta.err = hdr.h.p == 2 ? error.HeaderTooShort : error.NoError;
        hash(hdr.h.res, HashAlgorithm.crc32, 32w0,
             { hdr.h.a, meta.flag, meta.e, meta.p, meta.err, hdr.h.b }, 64w0x100000000);
        sm.egress_spec = 1;
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply { pkt.emit(hdr.h); }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
