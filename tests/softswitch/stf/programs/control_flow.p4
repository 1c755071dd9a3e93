/* return, exit (from the control, a sub-control and an action), functions with in/inout
 * parameters, sub-control parameters. exit ends ingress without dropping: egress still runs. */
#include <core.p4>
#include <v1model.p4>

header op_t { bit<8> op; bit<8> v; }
header res_t { bit<8> a; bit<8> b; bit<8> c; }
struct headers_t { op_t op; res_t res; }
struct meta_t { }

bit<8> twice(in bit<8> x) {
    return x + x;
}

bit<8> bump(inout bit<8> x) {
    x = x + 1;
    return 0x40;
}

control Sub(inout res_t r, in bit<8> v) {
    apply {
        r.b = v;
        if (v == 3) {
            exit;
        }
        r.c = 0x33;
    }
}

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.op); transition accept; }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    Sub() sub;

    action set_and_exit(inout bit<8> x) {
        x = 0x55;
        exit;
    }

    apply {
        hdr.res.setValid();
        sm.egress_spec = 1;
        if (hdr.op.op == 1) {
            hdr.res.a = twice(hdr.op.v);
            return;
        } else if (hdr.op.op == 2) {
            hdr.res.a = bump(hdr.op.v);
        } else if (hdr.op.op == 3) {
            sub.apply(hdr.res, hdr.op.v);
            hdr.res.a = 0xAA;
        } else if (hdr.op.op == 4) {
            set_and_exit(hdr.res.c);
            hdr.res.a = 0xAB;
        }
        hdr.res.b = hdr.res.b | 0x10;
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.op.op = hdr.op.op | 0x80;
    }
}

control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.op);
        pkt.emit(hdr.res);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
