/* The v1model traffic manager: multicast (replica order, egress_rid), multicast beating a drop,
 * I2E and E2E clones (unconfigured sessions clone nothing), resubmit and recirculate with
 * @field_list metadata, mark_to_drop, an unset egress_spec (port 0), a nonzero priority (dropped
 * with one queue per port), truncate. Egress records instance_type, egress_rid, the number of
 * ingress passes and ingress_port in an info header. */
#include <core.p4>
#include <v1model.p4>

header op_t { bit<8> op; bit<8> arg; }
header info_t { bit<8> itype; bit<8> rid; bit<8> pass; bit<8> in_port; }
struct headers_t { op_t op; info_t info; }
struct meta_t {
    @field_list(1)
    bit<8> pass;
    bit<8> scratch;
}

parser ParserImpl(packet_in pkt, out headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.op); transition accept; }
}

control VerifyImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control IngressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        meta.pass = meta.pass + 1;
        meta.scratch = 0x99;
        bit<8> op = hdr.op.op;
        if (op == 1) {
            sm.mcast_grp = 1;
        } else if (op == 2) {
            mark_to_drop(sm);
            sm.mcast_grp = 1;
        } else if (op == 3) {
            clone(CloneType.I2E, 5);
            sm.egress_spec = 1;
        } else if (op == 12) {
            clone_preserving_field_list(CloneType.I2E, 5, 1);
            sm.egress_spec = 1;
        } else if (op == 4) {
            if (meta.pass < 3) {
                resubmit_preserving_field_list(1);
            } else {
                sm.egress_spec = 1;
            }
        } else if (op == 5 || op == 6) {
            sm.egress_spec = 1;
        } else if (op == 7) {
            mark_to_drop(sm);
        } else if (op == 9) {
            sm.priority = 1;
            sm.egress_spec = 1;
        } else if (op == 10) {
            truncate(3);
            sm.egress_spec = 1;
        } else if (op == 11) {
            clone(CloneType.I2E, 7);
            sm.egress_spec = 1;
        }
        // op 8: egress_spec is never written, so the packet leaves on port 0
    }
}

control EgressImpl(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.info.setValid();
        hdr.info.itype = (bit<8>) sm.instance_type;
        hdr.info.rid = (bit<8>) sm.egress_rid;
        hdr.info.pass = meta.pass;
        hdr.info.in_port = (bit<8>) sm.ingress_port;
        if (hdr.op.op == 5 && meta.pass < 2) {
            recirculate_preserving_field_list(1);
        }
        if (hdr.op.op == 6 && sm.instance_type == 0) {
            clone(CloneType.E2E, 6);
        }
    }
}

control ComputeImpl(inout headers_t hdr, inout meta_t meta) { apply { } }

control DeparserImpl(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.op);
        pkt.emit(hdr.info);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
