/* p4edge IoT edge: IPv6 and IPv4 housekeeping (instance EdgeIngress.housekeeping).
 *
 * Link-local control traffic is never an access request and never leaves the
 * link. Each kind is handled on purpose:
 *   - neighbour solicitation for an address the edge fronts (nd_proxy): answered
 *     with a neighbour advertisement out of the ingress port; a DAD probe
 *     (source ::) for such an address gets the advertisement to all-nodes;
 *   - router solicitation from an access port: sent to the controller
 *     (packet-in, rate-limited per port), which may answer with an RA;
 *   - ARP request for a fronted IPv4 address (arp_proxy): answered;
 *   - everything else of the kind (other ND, RA, redirect, MLD, unanswered
 *     solicitations and DAD, link-local or unspecified sources, link-scope
 *     multicast, IPv4 broadcast/multicast, 0.0.0.0 and 169.254/16 sources):
 *     dropped silently, counted under DROP_HOUSEKEEPING.
 * The packet is then marked handled and the access/downstream logic skips it. */

#ifndef P4EDGE_HOUSEKEEPING_P4
#define P4EDGE_HOUSEKEEPING_P4

control Housekeeping(inout headers_t hdr,
                     inout edge_metadata_t meta,
                     inout standard_metadata_t standard_metadata) {

    bit<48> answer_mac = 0;
    bit<1>  answer_router = 0;

    @brief("Answer the solicitation with this MAC; router=1 sets the R flag.")
    action answer_ns(bit<48> mac, bit<1> router) {
        answer_mac = mac;
        answer_router = router;
    }

    @brief("IPv6 addresses the edge answers neighbour solicitations for, per port and VLAN.")
    table nd_proxy {
        key = {
            standard_metadata.ingress_port: exact @name("port");
            meta.vlan: exact @name("vlan");
            hdr.nd.target_addr: exact @name("target_addr");
        }
        actions = {
            answer_ns;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = DEVICE_TABLE_SIZE;
    }

    @brief("Answer the ARP request with this MAC.")
    action answer_arp(bit<48> mac) {
        answer_mac = mac;
    }

    @brief("IPv4 addresses the edge answers ARP requests for, per port and VLAN.")
    table arp_proxy {
        key = {
            standard_metadata.ingress_port: exact @name("port");
            meta.vlan: exact @name("vlan");
            hdr.arp.target_ip: exact @name("target_addr");
        }
        actions = {
            answer_arp;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = DEVICE_TABLE_SIZE;
    }

    apply {
        if (hdr.ipv6.isValid()) {
            bool is_icmp = hdr.icmpv6.isValid() && !hdr.ipv6_frag.isValid();
            bit<8> icmp_type = 0;
            if (is_icmp) {
                icmp_type = hdr.icmpv6.type;
            }
            bool src_unspecified = hdr.ipv6.src_addr == 0;
            bool src_link_local = hdr.ipv6.src_addr[127:118] == 0x3FA;   /* fe80::/10 */
            bool dst_link_local = hdr.ipv6.dst_addr[127:118] == 0x3FA;
            bool dst_multicast = hdr.ipv6.dst_addr[127:120] == 0xFF;
            bool dst_link_scope = hdr.ipv6.dst_addr[127:112] == 0xFF02;  /* ff02::/16 */

            if (icmp_type == ICMP6_NEIGHBOR_SOL) {
                meta.handled = 1;
                meta.drop_reason = DROP_HOUSEKEEPING;
                /* RFC 4861 7.1.1 validity, and a shape the reply can reuse. */
                if (hdr.nd.isValid() && hdr.ipv6.hop_limit == ND_HOP_LIMIT
                        && hdr.icmpv6.code == 0 && hdr.nd.target_addr[127:120] != 0xFF
                        && (hdr.ipv6.payload_len == ND_NS_LEN
                            || hdr.ipv6.payload_len == ND_NS_LEN_WITH_OPT)) {
                    if (nd_proxy.apply().hit) {
                        /* Turn the solicitation into the advertisement, in place. */
                        bit<128> target = hdr.nd.target_addr;
                        hdr.ethernet.dst_addr = hdr.ethernet.src_addr;
                        hdr.ethernet.src_addr = answer_mac;
                        hdr.ipv6.traffic_class = 0;
                        hdr.ipv6.flow_label = 0;
                        hdr.ipv6.payload_len = ND_NS_LEN_WITH_OPT;
                        hdr.ipv6.hop_limit = ND_HOP_LIMIT;
                        hdr.ipv6.dst_addr = hdr.ipv6.src_addr;
                        hdr.ipv6.src_addr = target;
                        hdr.icmpv6.type = ICMP6_NEIGHBOR_ADV;
                        hdr.nd.router = answer_router;
                        hdr.nd.solicited = 1;
                        hdr.nd.override = 1;
                        hdr.nd._reserved = 0;
                        hdr.nd_option.setValid();
                        hdr.nd_option.type = ND_OPT_TARGET_LLADDR;
                        hdr.nd_option.length = 1;
                        hdr.nd_option.link_addr = answer_mac;
                        meta.nd_reply = 1;
                        if (src_unspecified) {
                            /* DAD probe for an address in use: tell all nodes. */
                            hdr.ethernet.dst_addr = MAC_ALL_NODES_V6;
                            hdr.ipv6.dst_addr = IPV6_ALL_NODES;
                            hdr.nd.solicited = 0;
                        }
                        meta.drop_reason = DROP_NONE;
                        standard_metadata.egress_spec = standard_metadata.ingress_port;
                    }
                }
            } else if (icmp_type == ICMP6_ROUTER_SOL && meta.role == ROLE_ACCESS) {
                meta.handled = 1;
                meta.ctrl_request = CTRL_PUNT_RS;  /* EdgeIngress.to_controller decides */
            } else if ((icmp_type >= ICMP6_MLD_QUERY && icmp_type <= ICMP6_REDIRECT)
                       || icmp_type == ICMP6_MLD2_REPORT) {
                meta.handled = 1;
                meta.drop_reason = DROP_HOUSEKEEPING;
            } else if (src_unspecified || src_link_local || dst_link_local || dst_link_scope
                       || (dst_multicast && meta.role == ROLE_ACCESS)) {
                /* MLD behind a hop-by-hop header lands here too. On an uplink,
                 * other multicast destinations are group instructions. */
                meta.handled = 1;
                meta.drop_reason = DROP_HOUSEKEEPING;
            }
        } else if (hdr.arp.isValid()) {
            meta.handled = 1;
            meta.drop_reason = DROP_HOUSEKEEPING;
            if (hdr.arp.htype == ARP_HTYPE_ETHERNET && hdr.arp.ptype == ETHERTYPE_IPV4
                    && hdr.arp.hlen == 6 && hdr.arp.plen == 4
                    && hdr.arp.oper == ARP_OPER_REQUEST
                    && hdr.arp.sender_ip != hdr.arp.target_ip) {  /* not gratuitous */
                if (arp_proxy.apply().hit) {
                    bit<32> target_ip = hdr.arp.target_ip;
                    hdr.ethernet.dst_addr = hdr.ethernet.src_addr;
                    hdr.ethernet.src_addr = answer_mac;
                    hdr.arp.oper = ARP_OPER_REPLY;
                    hdr.arp.target_mac = hdr.arp.sender_mac;
                    hdr.arp.target_ip = hdr.arp.sender_ip;
                    hdr.arp.sender_mac = answer_mac;
                    hdr.arp.sender_ip = target_ip;
                    meta.drop_reason = DROP_NONE;
                    standard_metadata.egress_spec = standard_metadata.ingress_port;
                }
            }
        } else if (hdr.ipv4.isValid()) {
            if (hdr.ipv4.src_addr == 0
                    || hdr.ipv4.src_addr[31:16] == 0xA9FE    /* 169.254/16 */
                    || hdr.ipv4.dst_addr == 0xFFFFFFFF
                    || hdr.ipv4.dst_addr[31:28] == 0xE) {    /* 224/4 */
                meta.handled = 1;
                meta.drop_reason = DROP_HOUSEKEEPING;
            }
        }
    }
}

#endif
