/* p4edge IoT edge data plane (P4-16, v1model).
 *
 * Devices on access ports reach their virtual endpoints in customer VPCs over
 * per-customer VLAN connections on uplink ports. The edge admits only
 * registered devices toward their own endpoint (or the customer's anycast
 * address and allowed prefixes), delivers VPC traffic back to them, replicates
 * group instructions to member devices, and exchanges packets with the
 * controller. p4src/README.md is the contract the controller programs against.
 *
 * Ingress (EdgeIngress), in order:
 *   deny by default (mark_to_drop)
 *   ports          port role, VLAN, CPU port
 *   packet_out     from the CPU port: out of the port it names, unchanged, or
 *                  to a customer's multicast group (copies rewritten in egress)
 *   housekeeping   ND, RS, MLD, DAD, ARP: answered, punted or dropped silently
 *   access         access ports: device admission, refused senders classified
 *   upstream       admitted traffic: destination check, customer uplink
 *   downstream     uplink ports: customer VLAN, source check, device or group
 *   to_controller  access requests (digest) and punts, rate-limited per port
 *   count and drop by reason
 * Egress (EdgeEgress): multicast member, address rewrite with checksums, VLAN,
 * MACs, packet_in. */

#include <core.p4>
#include <v1model.p4>

#include "include/constants.p4"
#include "include/headers.p4"
#include "include/parser.p4"
#include "include/device_state.p4"
#include "include/rewrite.p4"
#include "include/ports.p4"
#include "include/housekeeping.p4"
#include "include/access.p4"
#include "include/upstream.p4"
#include "include/downstream.p4"
#include "include/controller_io.p4"
#include "include/egress.p4"

control EdgeIngress(inout headers_t hdr,
                    inout edge_metadata_t meta,
                    inout standard_metadata_t standard_metadata) {

    @brief("Packets dropped in the ingress, by DROP_* reason.")
    counter(REASON_COUNT, CounterType.packets_and_bytes) drops;

    PortRoles() ports;
    Housekeeping() housekeeping;
    AccessControl() access;
    UpstreamForwarding() upstream;
    Downstream() downstream;
    ToController() to_controller;

    apply {
        /* An unset egress_spec would send the packet to port 0. */
        mark_to_drop(standard_metadata);

        ports.apply(hdr, meta, standard_metadata);

        if (meta.role == ROLE_CPU) {
            if (!hdr.packet_out.isValid()) {
                meta.drop_reason = DROP_BAD_PACKET_OUT;
            } else if (hdr.packet_out.mcast_grp != 0) {
                /* A group instruction: an IPv6 frame to a multicast address,
                 * replicated by the PRE; the egress rewrites each copy for
                 * its member and drops members of any other customer. */
                if (hdr.packet_out.egress_port == 0
                        && standard_metadata.parser_error == error.NoError
                        && hdr.ipv6.isValid()
                        && hdr.ipv6.dst_addr[127:120] == 0xFF) {
                    standard_metadata.mcast_grp = hdr.packet_out.mcast_grp;
                    meta.is_mcast = 1;
                    meta.customer_id = hdr.packet_out.customer_id;
                    hdr.packet_out.setInvalid();
                } else {
                    meta.drop_reason = DROP_BAD_PACKET_OUT;
                }
            } else if (hdr.packet_out.egress_port != standard_metadata.ingress_port) {
                standard_metadata.egress_spec = hdr.packet_out.egress_port;
                hdr.packet_out.setInvalid();
            } else {
                meta.drop_reason = DROP_BAD_PACKET_OUT;
            }
        } else if (hdr.packet_out.isValid()) {
            meta.drop_reason = DROP_BAD_PACKET_OUT;  /* the mark from a non-CPU port */
        } else if (meta.role == ROLE_NONE) {
            meta.drop_reason = DROP_NO_ROLE;
        } else if (standard_metadata.parser_error != error.NoError) {
            meta.drop_reason = DROP_PARSER_ERROR;
        } else if (standard_metadata.checksum_error == 1) {
            meta.drop_reason = DROP_BAD_CHECKSUM;
        } else {
            housekeeping.apply(hdr, meta, standard_metadata);
            if (meta.handled == 0) {
                if (meta.role == ROLE_ACCESS) {
                    access.apply(hdr, meta, standard_metadata);
                    if (meta.drop_reason == DROP_NONE) {
                        upstream.apply(hdr, meta, standard_metadata);
                    }
                } else {
                    downstream.apply(hdr, meta, standard_metadata);
                }
            }
            to_controller.apply(hdr, meta, standard_metadata);
        }

        if (meta.drop_reason != DROP_NONE) {
            drops.count((bit<32>)meta.drop_reason);
            mark_to_drop(standard_metadata);
        }
    }
}

V1Switch(EdgeParser(),
         EdgeVerifyChecksum(),
         EdgeIngress(),
         EdgeEgress(),
         EdgeComputeChecksum(),
         EdgeDeparser()) main;
