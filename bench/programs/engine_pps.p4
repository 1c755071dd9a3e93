/* Benchmark pipeline for bench/engine_pps.py: an edge-style VLAN/IPv6/UDP forwarder.
 *
 * Parser: Ethernet -> 802.1Q -> IPv6 -> UDP.
 * Ingress: four lookups (exact port/VLAN with a direct counter, ternary ACL, lpm route,
 * exact next hop), a hop-limit decrement and a VLAN rewrite.
 * computeChecksum: the UDP checksum over the IPv6 pseudo-header, the UDP header and the payload.
 */
#include <core.p4>
#include <v1model.p4>

header ethernet_t {
    bit<48> dst_addr;
    bit<48> src_addr;
    bit<16> ether_type;
}

header vlan_t {
    bit<3>  pcp;
    bit<1>  dei;
    bit<12> vid;
    bit<16> ether_type;
}

header ipv6_t {
    bit<4>   version;
    bit<8>   traffic_class;
    bit<20>  flow_label;
    bit<16>  payload_len;
    bit<8>   next_hdr;
    bit<8>   hop_limit;
    bit<128> src_addr;
    bit<128> dst_addr;
}

header udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

struct headers_t {
    ethernet_t ethernet;
    vlan_t     vlan;
    ipv6_t     ipv6;
    udp_t      udp;
}

struct metadata_t {
    bit<16> vrf;
    bit<16> nexthop;
}

parser EdgeParser(packet_in pkt, out headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t std) {
    state start {
        pkt.extract(hdr.ethernet);
        transition select(hdr.ethernet.ether_type) {
            0x8100: parse_vlan;
            0x86dd: parse_ipv6;
            default: accept;
        }
    }
    state parse_vlan {
        pkt.extract(hdr.vlan);
        transition select(hdr.vlan.ether_type) {
            0x86dd: parse_ipv6;
            default: accept;
        }
    }
    state parse_ipv6 {
        pkt.extract(hdr.ipv6);
        transition select(hdr.ipv6.next_hdr) {
            17: parse_udp;
            default: accept;
        }
    }
    state parse_udp {
        pkt.extract(hdr.udp);
        transition accept;
    }
}

control EdgeVerify(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control EdgeIngress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) {
    direct_counter(CounterType.packets_and_bytes) port_vlan_counter;

    action drop() {
        mark_to_drop(std);
    }
    action set_vrf(bit<16> vrf) {
        meta.vrf = vrf;
    }
    action allow() { }
    action set_nexthop(bit<16> nexthop) {
        meta.nexthop = nexthop;
    }
    action rewrite(bit<48> dmac, bit<48> smac, bit<12> vid, bit<9> port) {
        hdr.ethernet.dst_addr = dmac;
        hdr.ethernet.src_addr = smac;
        hdr.vlan.vid = vid;
        std.egress_spec = port;
    }

    table port_vlan {
        key = {
            std.ingress_port : exact;
            hdr.vlan.vid     : exact;
        }
        actions = { set_vrf; drop; }
        default_action = drop();
        counters = port_vlan_counter;
    }

    table acl {
        key = {
            hdr.ipv6.src_addr : ternary;
            hdr.udp.dst_port  : ternary;
        }
        actions = { allow; drop; }
        default_action = allow();
    }

    table route {
        key = {
            meta.vrf          : exact;
            hdr.ipv6.dst_addr : lpm;
        }
        actions = { set_nexthop; drop; }
        default_action = drop();
    }

    table nexthop {
        key = {
            meta.nexthop : exact;
        }
        actions = { rewrite; drop; }
        default_action = drop();
    }

    apply {
        if (!hdr.vlan.isValid() || !hdr.ipv6.isValid()) {
            drop();
            exit;
        }
        port_vlan.apply();
        switch (acl.apply().action_run) {
            drop: { exit; }
        }
        if (hdr.ipv6.hop_limit <= 1) {
            drop();
            exit;
        }
        hdr.ipv6.hop_limit = hdr.ipv6.hop_limit - 1;
        if (route.apply().hit) {
            nexthop.apply();
        }
    }
}

control EdgeEgress(inout headers_t hdr, inout metadata_t meta, inout standard_metadata_t std) {
    apply { }
}

control EdgeCompute(inout headers_t hdr, inout metadata_t meta) {
    apply {
        update_checksum_with_payload(hdr.udp.isValid(),
            { hdr.ipv6.src_addr, hdr.ipv6.dst_addr, 16w0, hdr.udp.length, 24w0, hdr.ipv6.next_hdr,
              hdr.udp.src_port, hdr.udp.dst_port, hdr.udp.length, 16w0 },
            hdr.udp.checksum, HashAlgorithm.csum16);
    }
}

control EdgeDeparser(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.ethernet);
        pkt.emit(hdr.vlan);
        pkt.emit(hdr.ipv6);
        pkt.emit(hdr.udp);
    }
}

V1Switch(EdgeParser(), EdgeVerify(), EdgeIngress(), EdgeEgress(), EdgeCompute(), EdgeDeparser()) main;
