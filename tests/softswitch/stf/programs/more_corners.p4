// random() with lo > hi; a stack of header unions; a header stack inside a nested metadata
// struct; int<W> arithmetic and casts.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> op;
    bit<8> x;
    bit<8> r1;
    bit<8> r2;
    bit<8> r3;
    bit<16> r4;
}

header a_t { bit<8> a; }
header b_t { bit<16> b; }

header_union u_t {
    a_t a;
    b_t b;
}

header e_t { bit<8> v; }

struct inner_t {
    e_t[2] st;
    bit<8> n;
}

struct headers_t {
    h_t    h;
    u_t[2] us;
}

struct meta_t {
    inner_t inner;
}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        transition select(hdr.h.op) {
            2: unions;
            default: accept;
        }
    }
    state unions {
        pkt.extract(hdr.us[0].a);
        pkt.extract(hdr.us[1].b);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        if (hdr.h.op == 1) {
            bit<8> r = 0x77;
            random(r, 8w10, 8w5);       // lo > hi: r is left as it was
            hdr.h.r1 = r;
            random(hdr.h.r2, 8w3, 8w3);
        } else if (hdr.h.op == 2) {
            // making us[1].a valid invalidates us[1].b; us[0] keeps a
            hdr.h.r1 = (bit<8>) hdr.us[0].a.a;
            hdr.h.r2 = (bit<8>) hdr.us[1].b.b;
            hdr.us[1].a.setValid();
            hdr.us[1].a.a = hdr.h.x;
            hdr.h.r3 = (hdr.us[1].b.isValid() ? 8w1 : 8w0) | (hdr.us[1].isValid() ? 8w2 : 8w0);
        } else if (hdr.h.op == 3) {
            meta.inner.st[0].setValid();
            meta.inner.st[0].v = hdr.h.x;
            meta.inner.st.push_front(1);
            hdr.h.r1 = meta.inner.st[1].v;
            hdr.h.r2 = meta.inner.st[0].isValid() ? 8w1 : 8w0;
            hdr.h.r3 = meta.inner.st[1].isValid() ? 8w1 : 8w0;
        } else if (hdr.h.op == 4) {
            int<8> s = (int<8>) hdr.h.x;
            hdr.h.r1 = (bit<8>) (s >> 2);            // arithmetic shift
            hdr.h.r2 = s < 0 ? 8w1 : 8w0;
            hdr.h.r3 = (bit<8>) (s |-| 8s100);      // saturating subtraction
            hdr.h.r4 = (bit<16>) (int<16>) s;        // sign extension
        }
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.h);
        pkt.emit(hdr.us);
    }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
