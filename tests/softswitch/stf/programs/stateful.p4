/* register (read-modify-write across packets, out-of-range read leaves the destination alone),
 * meter (two-rate three-colour; unconfigured is GREEN; out of range leaves the result alone),
 * counter. */
#include <core.p4>
#include <v1model.p4>

header op_t { bit<8> op; bit<8> idx; }
header res_t { bit<32> r; bit<8> color; }
struct headers_t { op_t op; res_t res; }
struct meta_t { }

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.op); transition accept; }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    register<bit<32>>(4) reg;
    counter(4, CounterType.packets_and_bytes) cnt;
    meter(2, MeterType.packets) mtr;

    apply {
        hdr.res.setValid();
        sm.egress_spec = 1;
        bit<32> idx = (bit<32>) hdr.op.idx;
        if (hdr.op.op == 1) {
            bit<32> v;
            reg.read(v, idx);
            v = v + 1;
            reg.write(idx, v);
            hdr.res.r = v;
        } else if (hdr.op.op == 2) {
            hdr.res.r = 0xAAAAAAAA;
            reg.read(hdr.res.r, idx);
        } else if (hdr.op.op == 3) {
            hdr.res.color = 0xEE;
            mtr.execute_meter(idx, hdr.res.color);
        }
        cnt.count(idx);
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }
control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.op);
        pkt.emit(hdr.res);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
