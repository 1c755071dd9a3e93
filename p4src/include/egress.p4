/* p4edge IoT edge: the egress pipeline (EdgeEgress).
 *
 * The ingress decides; the egress rewrites. For each packet that leaves toward
 * a device or an uplink it applies, in order:
 *   1. multicast copies: mcast_member, by (egress port, egress_rid), gives the
 *      member device; a member of another customer is DROP_CROSS_CUSTOMER;
 *   2. the address rewrite (anycast, anycast restore, member address) with
 *      checksum adjustment (AddressRewrite);
 *   3. the VLAN: pushed, replaced, or popped for an untagged port;
 *   4. the MACs: destination from the ingress decision or the device's learned
 *      MAC; source from port_mac;
 *   5. the packet_in header for a frame going to the controller.
 * Copies of a group instruction the controller injected (packet_out with
 * mcast_grp) are group copies like any other. Frames the controller sent to a
 * port, and ND/ARP replies, pass unchanged. */

#ifndef P4EDGE_EGRESS_P4
#define P4EDGE_EGRESS_P4

control EdgeEgress(inout headers_t hdr,
                   inout edge_metadata_t meta,
                   inout standard_metadata_t standard_metadata) {

    @brief("Packets dropped in the egress, by DROP_* reason.")
    counter(REASON_COUNT, CounterType.packets_and_bytes) drops;

    AddressRewrite() rewrite;

    @brief("Copy for a member device: its address and access VLAN (0 = untagged).")
    action to_member(bit<20> dev_id, bit<16> customer_id, bit<128> addr, bit<12> vlan) {
        meta.dest_customer = customer_id;
        meta.l3_rewrite = REWRITE_DST;
        meta.new_addr = addr;
        meta.l2_rewrite = 1;
        meta.out_vlan = vlan;
        meta.mac_from_device = 1;
        meta.out_dev_id = dev_id;
        meta.mac_port = standard_metadata.egress_port;
    }

    @brief("Copy for a sleeping member, sent to the controller; port is its access port.")
    action hold_member(bit<20> dev_id, bit<16> customer_id, bit<128> addr, bit<12> vlan,
                       bit<9> port) {
        meta.dest_customer = customer_id;
        meta.l3_rewrite = REWRITE_DST;
        meta.new_addr = addr;
        meta.l2_rewrite = 1;
        meta.out_vlan = vlan;
        meta.mac_from_device = 1;
        meta.out_dev_id = dev_id;
        meta.mac_port = port;
        meta.punt_reason = PUNT_DEVICE_ASLEEP;
    }

    @brief("Multicast members: a replica's (egress port, rid) to the member device.")
    table mcast_member {
        key = {
            standard_metadata.egress_port: exact @name("port");
            standard_metadata.egress_rid: exact @name("rid");
        }
        actions = {
            to_member;
            hold_member;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = DEVICE_TABLE_SIZE;
    }

    @brief("The edge's own MAC on this port.")
    action set_port_mac(bit<48> mac) {
        hdr.ethernet.src_addr = mac;
    }

    @brief("Source MAC of forwarded frames, per port they are forwarded to.")
    table port_mac {
        key = {
            meta.mac_port: exact @name("port");
        }
        actions = {
            set_port_mac;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = PORT_TABLE_SIZE;
    }

    apply {
        if (meta.is_mcast == 1) {
            if (!mcast_member.apply().hit) {
                meta.drop_reason = DROP_NO_MEMBER;
            } else if (meta.dest_customer != meta.customer_id) {
                meta.drop_reason = DROP_CROSS_CUSTOMER;
            }
        }

        if (meta.drop_reason == DROP_NONE && meta.l3_rewrite != REWRITE_NONE) {
            rewrite.apply(hdr, meta);
        }

        if (meta.drop_reason == DROP_NONE && meta.l2_rewrite == 1) {
            if (meta.out_vlan == 0) {
                if (hdr.vlan.isValid()) {
                    hdr.ethernet.ether_type = hdr.vlan.ether_type;
                    hdr.vlan.setInvalid();
                }
            } else {
                if (!hdr.vlan.isValid()) {
                    hdr.vlan.setValid();
                    hdr.vlan.pcp = 0;
                    hdr.vlan.dei = 0;
                    hdr.vlan.ether_type = hdr.ethernet.ether_type;
                    hdr.ethernet.ether_type = ETHERTYPE_VLAN;
                }
                hdr.vlan.vid = meta.out_vlan;
            }

            if (meta.mac_from_device == 1) {
                bit<48> learned = 0;
                device_mac.read(learned, (bit<32>)meta.out_dev_id);
                if (learned == 0) {
                    learned = MAC_BROADCAST;  /* the device has not sent yet */
                }
                hdr.ethernet.dst_addr = learned;
            } else {
                hdr.ethernet.dst_addr = meta.out_dst_mac;
            }
            port_mac.apply();
        }

        if (meta.drop_reason == DROP_NONE && meta.punt_reason != 0) {
            hdr.packet_in.setValid();
            hdr.packet_in.ingress_port = standard_metadata.ingress_port;
            hdr.packet_in.reason = meta.punt_reason;
            hdr.packet_in._pad = 0;
        }

        if (meta.drop_reason != DROP_NONE) {
            drops.count((bit<32>)meta.drop_reason);
            mark_to_drop(standard_metadata);
        }
    }
}

#endif
