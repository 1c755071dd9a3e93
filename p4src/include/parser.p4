/* p4edge IoT edge: parser, checksum controls and deparser. */

#ifndef P4EDGE_PARSER_P4
#define P4EDGE_PARSER_P4

/* Malformed IP headers. The parser stops with one of these in
 * standard_metadata.parser_error, and the ingress drops the packet as
 * DROP_PARSER_ERROR like a truncated one. */
error {
    IpVersionMismatch,   /* the version field disagrees with the EtherType */
    Ipv4HeaderTooShort   /* IPv4 IHL below 5 (20 bytes) */
}

parser EdgeParser(packet_in packet,
                  out headers_t hdr,
                  inout edge_metadata_t meta,
                  inout standard_metadata_t standard_metadata) {

    state start {
        /* A controller PacketOut is recognised by its mark, not by the port:
         * the ingress then checks that it came from the CPU port. */
        transition select(packet.lookahead<ethernet_t>().ether_type) {
            PACKET_OUT_MARK: parse_packet_out;
            default: parse_ethernet;
        }
    }

    state parse_packet_out {
        packet.extract(hdr.packet_out);
        transition parse_ethernet;
    }

    state parse_ethernet {
        packet.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            ETHERTYPE_VLAN: parse_vlan;
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            ETHERTYPE_ARP:  parse_arp;
            default: accept;
        }
    }

    state parse_vlan {
        packet.extract(hdr.vlan);
        transition select(hdr.vlan.ether_type) {
            ETHERTYPE_IPV4: parse_ipv4;
            ETHERTYPE_IPV6: parse_ipv6;
            ETHERTYPE_ARP:  parse_arp;
            default: accept;
        }
    }

    state parse_arp {
        packet.extract(hdr.arp);
        transition accept;
    }

    state parse_ipv4 {
        packet.extract(hdr.ipv4);
        verify(hdr.ipv4.version == 4, error.IpVersionMismatch);
        verify(hdr.ipv4.ihl >= 5, error.Ipv4HeaderTooShort);
        /* The options, if any (none: an empty header). */
        packet.extract(hdr.ipv4_options, (bit<32>)(hdr.ipv4.ihl - 5) * 32);
        /* The transport header is parsed only where it sits right after a
         * 20-byte header, and only in a first (or only) fragment. */
        transition select(hdr.ipv4.ihl, hdr.ipv4.frag_offset, hdr.ipv4.protocol) {
            (5, 0, IP_PROTO_TCP): parse_tcp;
            (5, 0, IP_PROTO_UDP): parse_udp;
            default: accept;
        }
    }

    state parse_ipv6 {
        packet.extract(hdr.ipv6);
        verify(hdr.ipv6.version == 6, error.IpVersionMismatch);
        transition select(hdr.ipv6.next_hdr) {
            IP_PROTO_TCP:    parse_tcp;
            IP_PROTO_UDP:    parse_udp;
            IP_PROTO_ICMPV6: parse_icmpv6;
            IP_PROTO_FRAG:   parse_ipv6_frag;
            default: accept;
        }
    }

    state parse_ipv6_frag {
        packet.extract(hdr.ipv6_frag);
        transition select(hdr.ipv6_frag.frag_offset, hdr.ipv6_frag.next_hdr) {
            (0, IP_PROTO_TCP):    parse_tcp;
            (0, IP_PROTO_UDP):    parse_udp;
            (0, IP_PROTO_ICMPV6): parse_icmpv6;
            default: accept;
        }
    }

    state parse_tcp {
        packet.extract(hdr.tcp);
        transition accept;
    }

    state parse_udp {
        packet.extract(hdr.udp);
        transition accept;
    }

    state parse_icmpv6 {
        packet.extract(hdr.icmpv6);
        transition select(hdr.icmpv6.type) {
            ICMP6_NEIGHBOR_SOL: parse_nd;
            default: accept;
        }
    }

    /* A neighbour solicitation: its body, then one option if the message is
     * exactly one option long. Longer messages are never answered. */
    state parse_nd {
        packet.extract(hdr.nd);
        transition select(hdr.ipv6.payload_len) {
            ND_NS_LEN_WITH_OPT: parse_nd_option;
            default: accept;
        }
    }

    state parse_nd_option {
        packet.extract(hdr.nd_option);
        transition accept;
    }
}

/* Only the IPv4 header checksum is verified, over the whole header with its
 * options; a wrong one drops the packet in the ingress. The options header is
 * valid exactly when the whole IPv4 header was parsed (a header cut short is a
 * parser error instead). Transport checksums are left to the hosts. */
control EdgeVerifyChecksum(inout headers_t hdr, inout edge_metadata_t meta) {
    apply {
        verify_checksum(hdr.ipv4_options.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.dscp, hdr.ipv4.ecn,
              hdr.ipv4.total_len, hdr.ipv4.identification, hdr.ipv4.flags,
              hdr.ipv4.frag_offset, hdr.ipv4.ttl, hdr.ipv4.protocol,
              hdr.ipv4.src_addr, hdr.ipv4.dst_addr, hdr.ipv4_options.options },
            hdr.ipv4.hdr_checksum, HashAlgorithm.csum16);
    }
}

/* Address rewrites adjust checksums incrementally (rewrite.p4). The only full
 * computation is for a neighbour advertisement the ingress built from a
 * solicitation: every byte of it is in parsed headers. */
control EdgeComputeChecksum(inout headers_t hdr, inout edge_metadata_t meta) {
    apply {
        update_checksum(meta.nd_reply == 1,
            { hdr.ipv6.src_addr, hdr.ipv6.dst_addr,
              16w0, hdr.ipv6.payload_len, 24w0, hdr.ipv6.next_hdr,
              hdr.icmpv6.type, hdr.icmpv6.code,
              hdr.nd.router, hdr.nd.solicited, hdr.nd.override, hdr.nd._reserved,
              hdr.nd.target_addr,
              hdr.nd_option.type, hdr.nd_option.length, hdr.nd_option.link_addr },
            hdr.icmpv6.checksum, HashAlgorithm.csum16);
    }
}

control EdgeDeparser(packet_out packet, in headers_t hdr) {
    apply {
        packet.emit(hdr.packet_in);
        packet.emit(hdr.ethernet);
        packet.emit(hdr.vlan);
        packet.emit(hdr.arp);
        packet.emit(hdr.ipv4);
        packet.emit(hdr.ipv4_options);
        packet.emit(hdr.ipv6);
        packet.emit(hdr.ipv6_frag);
        packet.emit(hdr.tcp);
        packet.emit(hdr.udp);
        packet.emit(hdr.icmpv6);
        packet.emit(hdr.nd);
        packet.emit(hdr.nd_option);
    }
}

#endif
