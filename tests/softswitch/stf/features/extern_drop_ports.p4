/* Feature test: output port choice, mark_to_drop and the drop port.
 *
 * Checks (P4TARGET 1.2, 1.5, 1.7): egress_spec never written -> the packet leaves on port 0;
 * mark_to_drop(sm) drops; egress_spec = 511 drops; mark_to_drop followed by a new egress_spec
 * forwards (later code overrides it); mark_to_drop in egress drops at the end of egress; in egress,
 * egress_port is the chosen port and egress_spec reads 0 (BMv2 sets it to 512, cut to 9 bits);
 * ingress_port is the arrival port (all packets arrive on port 1, which must see no output).
 *
 * Input:  in_t.op (bit<8>) | payload
 * Output: in_t, out_t (in_port, e_port, e_spec: low 8 bits of ingress_port, egress_port and
 *         egress_spec as seen in egress), then the payload.
 *   op 0: nothing; 1: mark_to_drop; 2: egress_spec = 511; 3: mark_to_drop then egress_spec = 2;
 *   op 4: egress_spec = 3; 5: egress_spec = 2, then mark_to_drop in egress;
 *   op 6: egress_spec = 2, then egress sets egress_spec = 3 (ignored: the packet is already on
 *   its port); op 7: egress_spec = 2, then egress sets egress_spec = 511 (dropped).
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> op; }
header out_t {
    bit<8> in_port;
    bit<8> e_port;
    bit<8> e_spec;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        if (hdr.i.op == 1) {
            mark_to_drop(sm);
        } else if (hdr.i.op == 2) {
            sm.egress_spec = 511;
        } else if (hdr.i.op == 3) {
            mark_to_drop(sm);
            sm.egress_spec = 2;
        } else if (hdr.i.op == 4) {
            sm.egress_spec = 3;
        } else if (hdr.i.op >= 5) {
            sm.egress_spec = 2;
        }
        hdr.o.setValid();
        hdr.o.in_port = (bit<8>)sm.ingress_port;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.e_port = (bit<8>)sm.egress_port;
        hdr.o.e_spec = (bit<8>)sm.egress_spec;
        if (hdr.i.op == 5) {
            mark_to_drop(sm);
        } else if (hdr.i.op == 6) {
            sm.egress_spec = 3;
        } else if (hdr.i.op == 7) {
            sm.egress_spec = 511;
        }
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
