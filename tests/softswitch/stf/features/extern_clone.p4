/* Feature test: clone, clone_preserving_field_list (I2E and E2E) and mirroring sessions.
 *
 * Checks (P4TARGET 1.3, 1.4, 1.5, 1.7): sessions come from `mirroring_add <session> <port>`
 * (5 -> port 2, 6 -> port 3); the original packet still goes to port 1. In egress every copy writes
 * instance_type, the metadata fields and its ports into out_t, so what each copy starts with is
 * visible:
 *  - I2E clone: the bytes as received are parsed again (ingress's change to h.x is not in it), all
 *    metadata is zeroed (ingress_port too) except, with clone_preserving_field_list, the fields
 *    annotated @field_list(1) with their values at the end of ingress; instance_type = 1; egress_port
 *    is the session's port;
 *  - E2E clone: headers as at the end of the original's egress (ingress's change to h.x and the
 *    original's out_t are in it), metadata zeroed except the field list, read at the end of egress;
 *    instance_type = 2; it runs egress again;
 *  - clone() preserves nothing; an unconfigured session (9) makes no clone; with two clone calls in
 *    one ingress, the last one decides the session and the field list;
 *  - packet_length in egress is the received length for the original and for an I2E clone (the
 *    E2E clone's value is not checked: P4TARGET does not define its length register).
 *
 * Input:  h_t = op, x (bit<8>) | payload, on port 4
 *   op 1: clone(I2E, 5)        op 2: clone_preserving_field_list(I2E, 5, 1)   op 3: clone(I2E, 9)
 *   op 4: clone_preserving_field_list(E2E, 6, 1) in egress of the original    op 5: clone(I2E, 5)
 *   then clone_preserving_field_list(I2E, 6, 1)                               op 6: clone(E2E, 6)
 * Ingress: x = x + 1; meta.keep = 0x11; meta.lost = 0x22. Egress, for instance_type 0 only:
 * keep = keep + 1. Then out_t = (instance_type, keep, lost, egress_port, ingress_port,
 * packet_length).
 */
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> op;
    bit<8> x;
}
header out_t {
    bit<8> inst;
    bit<8> keep;
    bit<8> lost;
    bit<8> eport;
    bit<8> iport;
    bit<8> plen;
}
struct headers_t { h_t h; out_t o; }
struct meta_t {
    @field_list(1)
    bit<8> keep;
    bit<8> lost;
}

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.h); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 1;
        hdr.h.x = hdr.h.x + 1;
        meta.keep = 0x11;
        meta.lost = 0x22;
        if (hdr.h.op == 1) {
            clone(CloneType.I2E, 32w5);
        } else if (hdr.h.op == 2) {
            clone_preserving_field_list(CloneType.I2E, 32w5, 1);
        } else if (hdr.h.op == 3) {
            clone(CloneType.I2E, 32w9);
        } else if (hdr.h.op == 5) {
            clone(CloneType.I2E, 32w5);
            clone_preserving_field_list(CloneType.I2E, 32w6, 1);
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        if (sm.instance_type == 0) {
            meta.keep = meta.keep + 1;
        }
        hdr.o.setValid();
        hdr.o.inst = (bit<8>)sm.instance_type;
        hdr.o.keep = meta.keep;
        hdr.o.lost = meta.lost;
        hdr.o.eport = (bit<8>)sm.egress_port;
        hdr.o.iport = (bit<8>)sm.ingress_port;
        hdr.o.plen = (bit<8>)sm.packet_length;
        if (sm.instance_type == 0) {
            if (hdr.h.op == 4) {
                clone_preserving_field_list(CloneType.E2E, 32w6, 1);
            } else if (hdr.h.op == 6) {
                clone(CloneType.E2E, 32w6);
            }
        }
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.h);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
