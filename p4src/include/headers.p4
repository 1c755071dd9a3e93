/* p4edge IoT edge: header types, the headers struct, metadata and the digest. */

#ifndef P4EDGE_HEADERS_P4
#define P4EDGE_HEADERS_P4

/* ---- Controller packet I/O ------------------------------------------------- */

/* Prepended by the P4Runtime server to every PacketOut. It is 14 bytes long so
 * that its last two bytes sit where an Ethernet frame has its EtherType; they
 * are zero (the reserved field), which no real frame has there. The parser
 * recognises a packet_out by that mark, and the ingress accepts it only from
 * the CPU port. The controller either sets egress_port (mcast_grp 0: the frame
 * leaves that port unchanged) or sets mcast_grp and customer_id (egress_port
 * 0: the frame is replicated to the group's members and each copy rewritten
 * as a group copy of that customer). _reserved stays zero. */
@controller_header("packet_out")
header packet_out_t {
    bit<9>   egress_port;  /* send the frame that follows out of this port */
    bit<16>  mcast_grp;    /* nonzero: replicate to this PRE multicast group */
    bit<16>  customer_id;  /* with mcast_grp: the customer the group belongs to */
    bit<71>  _reserved;    /* must be zero */
}

/* Prepended to every frame sent to the CPU port (a PacketIn). */
@controller_header("packet_in")
header packet_in_t {
    bit<9> ingress_port;  /* port the frame arrived on */
    bit<8> reason;        /* PUNT_* in constants.p4 */
    bit<7> _pad;
}

/* ---- Layer 2 ------------------------------------------------------------- */

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

/* ARP for IPv4 over Ethernet. */
header arp_t {
    bit<16> htype;
    bit<16> ptype;
    bit<8>  hlen;
    bit<8>  plen;
    bit<16> oper;
    bit<48> sender_mac;
    bit<32> sender_ip;
    bit<48> target_mac;
    bit<32> target_ip;
}

/* ---- Layer 3 ------------------------------------------------------------- */

header ipv4_t {
    bit<4>  version;
    bit<4>  ihl;
    bit<6>  dscp;
    bit<2>  ecn;
    bit<16> total_len;
    bit<16> identification;
    bit<3>  flags;
    bit<13> frag_offset;
    bit<8>  ttl;
    bit<8>  protocol;
    bit<16> hdr_checksum;
    bit<32> src_addr;
    bit<32> dst_addr;
}

/* The IPv4 options: (ihl - 5) 32-bit words, at most 40 bytes. The parser
 * extracts this header behind every IPv4 header (empty when ihl is 5), so the
 * header checksum is verified over the whole header, options included. */
header ipv4_options_t {
    varbit<320> options;
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

header ipv6_frag_t {
    bit<8>  next_hdr;
    bit<8>  _reserved;
    bit<13> frag_offset;
    bit<2>  _res;
    bit<1>  more;
    bit<32> identification;
}

/* ---- Layer 4 ------------------------------------------------------------- */

header tcp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<32> seq_no;
    bit<32> ack_no;
    bit<4>  data_offset;
    bit<4>  _res;
    bit<8>  flags;
    bit<16> window;
    bit<16> checksum;
    bit<16> urgent_ptr;
}

header udp_t {
    bit<16> src_port;
    bit<16> dst_port;
    bit<16> length;
    bit<16> checksum;
}

header icmpv6_t {
    bit<8>  type;
    bit<8>  code;
    bit<16> checksum;
}

/* Body of a neighbour solicitation or advertisement (RFC 4861 4.3, 4.4). */
header nd_t {
    bit<1>   router;
    bit<1>   solicited;
    bit<1>   override;
    bit<29>  _reserved;
    bit<128> target_addr;
}

/* One 8-byte ND option: a source or target link-layer address. */
header nd_option_t {
    bit<8>  type;
    bit<8>  length;
    bit<48> link_addr;
}

struct headers_t {
    packet_out_t   packet_out;
    packet_in_t    packet_in;
    ethernet_t     ethernet;
    vlan_t         vlan;
    arp_t          arp;
    ipv4_t         ipv4;
    ipv4_options_t ipv4_options;
    ipv6_t         ipv6;
    ipv6_frag_t    ipv6_frag;
    tcp_t          tcp;
    udp_t          udp;
    icmpv6_t       icmpv6;
    nd_t           nd;
    nd_option_t    nd_option;
}

/* ---- Digest ---------------------------------------------------------------- */

/* An access request: sent for the first packets of an unknown sender on an
 * access port, and for a sleeping device that sends again (admit_* notify=1).
 * src_addr is the IPv6 source, or the IPv4 source as an IPv4-mapped IPv6
 * address (::ffff:a.b.c.d). vlan is 0 for an untagged frame. */
struct access_request_t {
    bit<9>   ingress_port;
    bit<12>  vlan;
    bit<48>  src_mac;
    bit<128> src_addr;
}

/* ---- Metadata ---------------------------------------------------------------- */

struct edge_metadata_t {
    /* Set by EdgeIngress.ports. */
    bit<2>   role;            /* ROLE_* */
    bit<1>   cpu_port_set;
    bit<9>   cpu_port;
    bit<12>  vlan;            /* received VLAN id, 0 if untagged */

    /* Outcome. */
    bit<8>   drop_reason;     /* DROP_*; nonzero drops the packet */
    bit<1>   handled;         /* housekeeping consumed the packet */
    bit<1>   nd_reply;        /* ingress built a neighbour advertisement */

    /* The device (access and downstream paths). */
    bit<20>  dev_id;
    bit<16>  customer_id;     /* customer of the device or of the uplink VLAN */
    bit<128> endpoint;        /* device's virtual endpoint (IPv4 in low 32 bits) */
    bit<1>   notify;          /* admitted device asks for an access_request */
    bit<2>   color;           /* device meter colour */
    bit<9>   known_port;      /* where a known address is registered */
    bit<12>  known_vlan;

    /* The customer. */
    bit<9>   uplink_port;
    bit<12>  uplink_vlan;
    bit<48>  gateway_mac;
    bit<128> anycast_v6;
    bit<32>  anycast_v4;
    bit<1>   used_anycast;

    /* Device-side delivery (downstream unicast, multicast member). */
    bit<16>  dest_customer;   /* customer of the destination device or member */
    bit<9>   dest_port;
    bit<12>  dest_vlan;
    bit<1>   hold;            /* device asleep: send to the controller */

    /* Requests to the controller. */
    bit<2>   ctrl_request;    /* CTRL_* */
    bit<2>   request_color;
    access_request_t request;

    /* Instructions for the egress. */
    bit<1>   is_mcast;
    bit<8>   punt_reason;     /* nonzero: prepend packet_in with this reason */
    bit<1>   l2_rewrite;      /* set VLAN, MACs */
    bit<12>  out_vlan;        /* 0: untagged */
    bit<1>   mac_from_device; /* destination MAC learned for out_dev_id */
    bit<20>  out_dev_id;
    bit<48>  out_dst_mac;     /* destination MAC when not mac_from_device */
    bit<9>   mac_port;        /* port whose MAC becomes the source MAC */
    bit<2>   l3_rewrite;      /* REWRITE_* */
    bit<128> new_addr;        /* the replacement address (IPv4: low 32 bits) */
}

#endif
