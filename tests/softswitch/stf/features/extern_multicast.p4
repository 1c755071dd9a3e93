/* Feature test: multicast through the packet replication engine.
 *
 * Checks (P4TARGET 1.3, 1.4, 1.6): groups built with mc_mgrp_create / mc_node_create /
 * mc_node_associate; a nonzero mcast_grp replicates the packet to every (node, port) of the group
 * and discards the original, even though egress_spec was set to 4; on a port reached by two nodes
 * the copies leave in the order the nodes were associated; a node lists each port once; every
 * replica sees instance_type 5, its node's rid in egress_rid and its port in egress_port (written
 * into out_t in egress); an unknown group yields no copy at all; mcast_grp 0 is plain unicast to
 * egress_spec (port 4, instance_type 0, rid 0); mark_to_drop after setting the group clears it and
 * drops the packet; an I2E clone to a session bound to a group (`mirroring_add_mc`) is replicated
 * to the group's ports: each copy keeps instance_type 1 and gets its node's rid; each replica
 * has its own metadata, so mark_to_drop in egress on the replicas with rid 200 drops only those.
 *
 * STF: group 1 = node 0 (rid 100, ports 1 2) then node 1 (rid 200, ports 1 3);
 *      group 2 = node 2 (rid 300, ports 3 2, given out of order and with a duplicate 3 3);
 *      clone session 7 -> group 2.
 * Input:  h_t = grp (bit<16>), op (bit<8>: 1 mark_to_drop, 2 clone(I2E, 7), 3 drop rid 200 in
 *         egress) | payload, on port 0
 * Output: h_t, out_t (rid: egress_rid, eport: egress_port, inst: instance_type), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<16> grp;
    bit<8>  op;
}
header out_t {
    bit<16> rid;
    bit<8>  eport;
    bit<8>  inst;
}
struct headers_t { h_t h; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.h); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        sm.egress_spec = 4;
        sm.mcast_grp = hdr.h.grp;
        if (hdr.h.op == 1) {
            mark_to_drop(sm);
        } else if (hdr.h.op == 2) {
            clone(CloneType.I2E, 32w7);
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        hdr.o.rid = sm.egress_rid;
        hdr.o.eport = (bit<8>)sm.egress_port;
        hdr.o.inst = (bit<8>)sm.instance_type;
        if (hdr.h.op == 3 && sm.egress_rid == 200) {
            mark_to_drop(sm);
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
