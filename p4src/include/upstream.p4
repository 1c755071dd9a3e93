/* p4edge IoT edge: virtual-endpoint forwarding (instance EdgeIngress.upstream).
 *
 * An admitted packet may go to the device's own virtual endpoint, to the
 * customer's anycast service address (rewritten by the egress to the device's
 * endpoint), or into one of the customer's allowed destination prefixes.
 * Anything else is DROP_DISALLOWED_DEST. It leaves on the customer's uplink,
 * tagged with the customer's VLAN, addressed to the VPC gateway's MAC.
 *
 * Each forwarded packet records, in the per-device registers of
 * device_state.p4, the device's MAC and whether it used the anycast address. */

#ifndef P4EDGE_UPSTREAM_P4
#define P4EDGE_UPSTREAM_P4

control UpstreamForwarding(inout headers_t hdr,
                           inout edge_metadata_t meta,
                           inout standard_metadata_t standard_metadata) {

    @brief("The customer's VLAN connection and anycast service addresses (0 = none).")
    action set_uplink(bit<9> port, bit<12> vlan, bit<48> gateway_mac,
                      bit<128> anycast_v6, bit<32> anycast_v4) {
        meta.uplink_port = port;
        meta.uplink_vlan = vlan;
        meta.gateway_mac = gateway_mac;
        meta.anycast_v6 = anycast_v6;
        meta.anycast_v4 = anycast_v4;
    }

    @brief("Per customer: the uplink port and VLAN, the VPC gateway MAC, anycast addresses.")
    table customer_uplink {
        key = {
            meta.customer_id: exact @name("customer_id");
        }
        actions = {
            set_uplink;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = CUSTOMER_TABLE_SIZE;
    }

    @brief("The destination is in one of the customer's allowed prefixes.")
    action allow() {
    }

    @brief("Allowed IPv6 destination prefixes per customer, besides the device's endpoint.")
    table allowed_dst_v6 {
        key = {
            meta.customer_id: exact @name("customer_id");
            hdr.ipv6.dst_addr: lpm @name("dst_addr");
        }
        actions = {
            allow;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = PREFIX_TABLE_SIZE;
    }

    @brief("Allowed IPv4 destination prefixes per customer, besides the device's endpoint.")
    table allowed_dst_v4 {
        key = {
            meta.customer_id: exact @name("customer_id");
            hdr.ipv4.dst_addr: lpm @name("dst_addr");
        }
        actions = {
            allow;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = PREFIX_TABLE_SIZE;
    }

    apply {
        if (!customer_uplink.apply().hit) {
            meta.drop_reason = DROP_NO_UPLINK;
        } else {
            bool permitted = false;
            if (hdr.ipv6.isValid()) {
                if (hdr.ipv6.dst_addr == meta.endpoint) {
                    permitted = true;
                } else if (meta.anycast_v6 != 0 && hdr.ipv6.dst_addr == meta.anycast_v6) {
                    permitted = true;
                    meta.used_anycast = 1;
                } else {
                    permitted = allowed_dst_v6.apply().hit;
                }
            } else {
                if (hdr.ipv4.dst_addr == meta.endpoint[31:0]) {
                    permitted = true;
                } else if (meta.anycast_v4 != 0 && hdr.ipv4.dst_addr == meta.anycast_v4) {
                    permitted = true;
                    meta.used_anycast = 1;
                } else {
                    permitted = allowed_dst_v4.apply().hit;
                }
            }

            if (!permitted) {
                meta.drop_reason = DROP_DISALLOWED_DEST;
            } else {
                if (meta.used_anycast == 1) {
                    meta.l3_rewrite = REWRITE_DST;
                    meta.new_addr = meta.endpoint;
                }
                standard_metadata.egress_spec = meta.uplink_port;
                meta.l2_rewrite = 1;
                meta.out_vlan = meta.uplink_vlan;
                meta.out_dst_mac = meta.gateway_mac;
                meta.mac_port = meta.uplink_port;
                device_mac.write((bit<32>)meta.dev_id, hdr.ethernet.src_addr);
                device_anycast.write((bit<32>)meta.dev_id, meta.used_anycast);
            }
        }
    }
}

#endif
