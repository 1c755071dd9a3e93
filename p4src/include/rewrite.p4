/* p4edge IoT edge: address rewrites with incremental checksum updates.
 *
 * Replacing an address changes the IPv4 header checksum and every transport
 * checksum whose pseudo-header holds it (TCP, UDP, ICMPv6). They are adjusted
 * incrementally as in RFC 1624 eqn. 3, HC' = ~(~HC + ~m + m'), summed over the
 * 16-bit words of the old and new address. Unlike a recomputation over the
 * payload, this stays right when the frame carries Ethernet padding and for
 * the first fragment of a fragmented datagram. */

#ifndef P4EDGE_REWRITE_P4
#define P4EDGE_REWRITE_P4

/* Folds a 32-bit one's-complement sum of at most 2^21 into 16 bits. */
bit<16> csum_fold(in bit<32> sum) {
    bit<32> s = (sum & 0xFFFF) + (sum >> 16);
    s = (s & 0xFFFF) + (s >> 16);
    return s[15:0];
}

/* The checksum after one 128-bit address in its coverage changed. */
bit<16> csum_replace128(in bit<16> csum, in bit<128> old_addr, in bit<128> new_addr) {
    bit<128> n = ~old_addr;
    bit<32> s = (bit<32>)(~csum)
        + (bit<32>)n[127:112] + (bit<32>)n[111:96] + (bit<32>)n[95:80] + (bit<32>)n[79:64]
        + (bit<32>)n[63:48] + (bit<32>)n[47:32] + (bit<32>)n[31:16] + (bit<32>)n[15:0]
        + (bit<32>)new_addr[127:112] + (bit<32>)new_addr[111:96]
        + (bit<32>)new_addr[95:80] + (bit<32>)new_addr[79:64]
        + (bit<32>)new_addr[63:48] + (bit<32>)new_addr[47:32]
        + (bit<32>)new_addr[31:16] + (bit<32>)new_addr[15:0];
    return ~csum_fold(s);
}

/* The checksum after one 32-bit address in its coverage changed. */
bit<16> csum_replace32(in bit<16> csum, in bit<32> old_addr, in bit<32> new_addr) {
    bit<32> n = ~old_addr;
    bit<32> s = (bit<32>)(~csum)
        + (bit<32>)n[31:16] + (bit<32>)n[15:0]
        + (bit<32>)new_addr[31:16] + (bit<32>)new_addr[15:0];
    return ~csum_fold(s);
}

/* Replaces the source or destination address (meta.l3_rewrite) with
 * meta.new_addr and fixes the checksums. A packet whose transport header was
 * not parsed, but whose checksum would cover the address, cannot be fixed and
 * is dropped with DROP_UNSUPPORTED. */
control AddressRewrite(inout headers_t hdr, inout edge_metadata_t meta) {
    apply {
        if (hdr.ipv6.isValid()) {
            bit<128> old_v6 = hdr.ipv6.dst_addr;
            if (meta.l3_rewrite == REWRITE_SRC) {
                old_v6 = hdr.ipv6.src_addr;
                hdr.ipv6.src_addr = meta.new_addr;
            } else {
                hdr.ipv6.dst_addr = meta.new_addr;
            }
            if (hdr.tcp.isValid()) {
                hdr.tcp.checksum = csum_replace128(hdr.tcp.checksum, old_v6, meta.new_addr);
            } else if (hdr.udp.isValid()) {
                bit<16> c6 = csum_replace128(hdr.udp.checksum, old_v6, meta.new_addr);
                if (c6 == 0) {
                    c6 = 0xFFFF;  /* zero means "no checksum" in UDP */
                }
                hdr.udp.checksum = c6;
            } else if (hdr.icmpv6.isValid()) {
                hdr.icmpv6.checksum = csum_replace128(hdr.icmpv6.checksum, old_v6, meta.new_addr);
            } else if (!hdr.ipv6_frag.isValid() || hdr.ipv6_frag.frag_offset == 0) {
                /* Extension headers or an unknown transport: its checksum, if
                 * any, cannot be reached. A later fragment carries none. */
                meta.drop_reason = DROP_UNSUPPORTED;
            }
        } else if (hdr.ipv4.isValid()) {
            bit<32> new_v4 = meta.new_addr[31:0];
            bit<32> old_v4 = hdr.ipv4.dst_addr;
            if (meta.l3_rewrite == REWRITE_SRC) {
                old_v4 = hdr.ipv4.src_addr;
                hdr.ipv4.src_addr = new_v4;
            } else {
                hdr.ipv4.dst_addr = new_v4;
            }
            hdr.ipv4.hdr_checksum = csum_replace32(hdr.ipv4.hdr_checksum, old_v4, new_v4);
            if (hdr.tcp.isValid()) {
                hdr.tcp.checksum = csum_replace32(hdr.tcp.checksum, old_v4, new_v4);
            } else if (hdr.udp.isValid()) {
                /* A zero UDP checksum over IPv4 means none: leave it so. */
                if (hdr.udp.checksum != 0) {
                    bit<16> c4 = csum_replace32(hdr.udp.checksum, old_v4, new_v4);
                    if (c4 == 0) {
                        c4 = 0xFFFF;
                    }
                    hdr.udp.checksum = c4;
                }
            } else if (hdr.ipv4.frag_offset == 0
                       && (hdr.ipv4.protocol == IP_PROTO_TCP || hdr.ipv4.protocol == IP_PROTO_UDP)) {
                /* TCP or UDP behind IPv4 options: not parsed, cannot be fixed. */
                meta.drop_reason = DROP_UNSUPPORTED;
            }
        }
    }
}

#endif
