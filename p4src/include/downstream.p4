/* p4edge IoT edge: traffic from the customer VPCs (instance EdgeIngress.downstream).
 *
 * A frame on an uplink must be tagged with a customer's VLAN (uplink_vlan) and
 * come from one of that customer's endpoint or allowed prefixes
 * (endpoint_src_v6 / endpoint_src_v4). Then:
 *   - to a device (device_down_v6 / device_down_v4): delivered only if the
 *     device belongs to the same customer, else DROP_CROSS_CUSTOMER. The egress
 *     untags it (or retags it with the device's access VLAN), addresses it to
 *     the MAC the device last sent from, and restores the anycast source if
 *     the device last used the anycast address. A sleeping device's traffic
 *     (hold_* action) goes to the controller instead, rewritten the same way.
 *   - to an IPv6 multicast group of that customer (mcast_group_v6): replicated
 *     by the packet replication engine; EdgeEgress rewrites each copy. */

#ifndef P4EDGE_DOWNSTREAM_P4
#define P4EDGE_DOWNSTREAM_P4

control Downstream(inout headers_t hdr,
                   inout edge_metadata_t meta,
                   inout standard_metadata_t standard_metadata) {

    @brief("Per IPv6 device: packets and bytes addressed to it.")
    direct_counter(CounterType.packets_and_bytes) device_down_v6_counter;
    @brief("Per IPv4 device: packets and bytes addressed to it.")
    direct_counter(CounterType.packets_and_bytes) device_down_v4_counter;

    @brief("The VLAN is this customer's connection; its anycast addresses (0 = none).")
    action set_customer(bit<16> customer_id, bit<128> anycast_v6, bit<32> anycast_v4) {
        meta.customer_id = customer_id;
        meta.anycast_v6 = anycast_v6;
        meta.anycast_v4 = anycast_v4;
    }

    @brief("Customer VLAN connections: (uplink port, VLAN) to customer.")
    table uplink_vlan {
        key = {
            standard_metadata.ingress_port: exact @name("port");
            meta.vlan: exact @name("vlan");
        }
        actions = {
            set_customer;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = CUSTOMER_TABLE_SIZE;
    }

    @brief("The source is one of the customer's endpoints or allowed peers.")
    action from_customer() {
    }

    @brief("Per customer: IPv6 prefixes of its endpoints and allowed peers.")
    table endpoint_src_v6 {
        key = {
            meta.customer_id: exact @name("customer_id");
            hdr.ipv6.src_addr: lpm @name("src_addr");
        }
        actions = {
            from_customer;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = PREFIX_TABLE_SIZE;
    }

    @brief("Per customer: IPv4 prefixes of its endpoints and allowed peers.")
    table endpoint_src_v4 {
        key = {
            meta.customer_id: exact @name("customer_id");
            hdr.ipv4.src_addr: lpm @name("src_addr");
        }
        actions = {
            from_customer;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = PREFIX_TABLE_SIZE;
    }

    @brief("Deliver to the IPv6 device out of its access port (vlan 0 = untagged).")
    action to_device_v6(bit<20> dev_id, bit<16> customer_id, bit<9> port, bit<12> vlan,
                        bit<128> endpoint) {
        meta.dev_id = dev_id;
        meta.dest_customer = customer_id;
        meta.dest_port = port;
        meta.dest_vlan = vlan;
        meta.endpoint = endpoint;
        meta.hold = 0;
    }

    @brief("The IPv6 device sleeps: send its traffic to the controller, rewritten for it.")
    action hold_for_device_v6(bit<20> dev_id, bit<16> customer_id, bit<9> port, bit<12> vlan,
                              bit<128> endpoint) {
        meta.dev_id = dev_id;
        meta.dest_customer = customer_id;
        meta.dest_port = port;
        meta.dest_vlan = vlan;
        meta.endpoint = endpoint;
        meta.hold = 1;
    }

    @brief("Registered IPv6 devices by address, for traffic to them.")
    table device_down_v6 {
        key = {
            hdr.ipv6.dst_addr: exact @name("dst_addr");
        }
        actions = {
            to_device_v6;
            hold_for_device_v6;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        counters = device_down_v6_counter;
        size = DEVICE_TABLE_SIZE;
    }

    @brief("Deliver to the IPv4 device out of its access port (vlan 0 = untagged).")
    action to_device_v4(bit<20> dev_id, bit<16> customer_id, bit<9> port, bit<12> vlan,
                        bit<32> endpoint) {
        meta.dev_id = dev_id;
        meta.dest_customer = customer_id;
        meta.dest_port = port;
        meta.dest_vlan = vlan;
        meta.endpoint = (bit<128>)endpoint;
        meta.hold = 0;
    }

    @brief("The IPv4 device sleeps: send its traffic to the controller, rewritten for it.")
    action hold_for_device_v4(bit<20> dev_id, bit<16> customer_id, bit<9> port, bit<12> vlan,
                              bit<32> endpoint) {
        meta.dev_id = dev_id;
        meta.dest_customer = customer_id;
        meta.dest_port = port;
        meta.dest_vlan = vlan;
        meta.endpoint = (bit<128>)endpoint;
        meta.hold = 1;
    }

    @brief("Registered IPv4 devices by address, for traffic to them.")
    table device_down_v4 {
        key = {
            hdr.ipv4.dst_addr: exact @name("dst_addr");
        }
        actions = {
            to_device_v4;
            hold_for_device_v4;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        counters = device_down_v4_counter;
        size = DEVICE_TABLE_SIZE;
    }

    @brief("Replicate to the members of this multicast group (a PRE group id).")
    action replicate(bit<16> group) {
        standard_metadata.mcast_grp = group;
        meta.is_mcast = 1;
    }

    @brief("Per customer: IPv6 group addresses and their multicast group ids.")
    table mcast_group_v6 {
        key = {
            meta.customer_id: exact @name("customer_id");
            hdr.ipv6.dst_addr: exact @name("group_addr");
        }
        actions = {
            replicate;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = GROUP_TABLE_SIZE;
    }

    apply {
        bool to_device = false;
        bit<1> anycast_bit = 0;
        if (!hdr.vlan.isValid() || !uplink_vlan.apply().hit) {
            meta.drop_reason = DROP_UPLINK_VLAN;
        } else if (hdr.ipv6.isValid()) {
            if (!endpoint_src_v6.apply().hit) {
                meta.drop_reason = DROP_NOT_FROM_ENDPOINT;
            } else if (hdr.ipv6.dst_addr[127:120] == 0xFF) {
                if (!mcast_group_v6.apply().hit) {
                    meta.drop_reason = DROP_UNKNOWN_GROUP;
                }
            } else if (!device_down_v6.apply().hit) {
                meta.drop_reason = DROP_UNKNOWN_DEST;
            } else {
                to_device = true;
                device_anycast.read(anycast_bit, (bit<32>)meta.dev_id);
                if (anycast_bit == 1 && meta.anycast_v6 != 0
                        && hdr.ipv6.src_addr == meta.endpoint) {
                    meta.l3_rewrite = REWRITE_SRC;
                    meta.new_addr = meta.anycast_v6;
                }
            }
        } else if (hdr.ipv4.isValid()) {
            if (!endpoint_src_v4.apply().hit) {
                meta.drop_reason = DROP_NOT_FROM_ENDPOINT;
            } else if (!device_down_v4.apply().hit) {
                meta.drop_reason = DROP_UNKNOWN_DEST;
            } else {
                to_device = true;
                device_anycast.read(anycast_bit, (bit<32>)meta.dev_id);
                if (anycast_bit == 1 && meta.anycast_v4 != 0
                        && hdr.ipv4.src_addr == meta.endpoint[31:0]) {
                    meta.l3_rewrite = REWRITE_SRC;
                    meta.new_addr = (bit<128>)meta.anycast_v4;
                }
            }
        } else {
            meta.drop_reason = DROP_UNSUPPORTED;
        }

        if (to_device) {
            if (meta.dest_customer != meta.customer_id) {
                meta.drop_reason = DROP_CROSS_CUSTOMER;
                meta.l3_rewrite = REWRITE_NONE;
            } else if (meta.hold == 1 && meta.cpu_port_set == 0) {
                meta.drop_reason = DROP_NO_CPU_PORT;
            } else {
                meta.l2_rewrite = 1;
                meta.out_vlan = meta.dest_vlan;
                meta.mac_from_device = 1;
                meta.out_dev_id = meta.dev_id;
                meta.mac_port = meta.dest_port;
                if (meta.hold == 1) {
                    standard_metadata.egress_spec = meta.cpu_port;
                    meta.punt_reason = PUNT_DEVICE_ASLEEP;
                } else {
                    standard_metadata.egress_spec = meta.dest_port;
                }
            }
        }
    }
}

#endif
