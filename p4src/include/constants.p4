/* p4edge IoT edge: numeric constants shared by the whole program.
 *
 * Drop reasons, packet-in reasons and controller-event indices are part of the
 * controller contract: p4src/README.md lists them, and the controller reads the
 * counters by these indices. Add new values at the end; never renumber. */

#ifndef P4EDGE_CONSTANTS_P4
#define P4EDGE_CONSTANTS_P4

/* ---- Table and extern sizes ---------------------------------------------- */

#define DEVICE_TABLE_SIZE   1000000  /* every table keyed per device */
#define CUSTOMER_TABLE_SIZE 4096     /* per-customer tables */
#define PREFIX_TABLE_SIZE   65536    /* per-customer prefix lists */
#define GROUP_TABLE_SIZE    65536    /* per-customer multicast groups */
#define PORT_TABLE_SIZE     512      /* per-port tables (PortId_t is 9 bits) */
#define PORT_COUNT          512      /* indexed externs per port */
#define REASON_COUNT        32       /* drop-reason counter size */
#define EVENT_COUNT         8        /* controller-event counter size */

/* ---- Protocol numbers ------------------------------------------------------ */

const bit<16> ETHERTYPE_IPV4 = 0x0800;
const bit<16> ETHERTYPE_ARP  = 0x0806;
const bit<16> ETHERTYPE_VLAN = 0x8100;
const bit<16> ETHERTYPE_IPV6 = 0x86DD;

/* A frame whose bytes 12-13 are zero carries a packet_out header (see
 * headers.p4). No real frame has them zero: an Ethernet II type is >= 0x0600,
 * and an IEEE 802.3 length field is never 0. */
const bit<16> PACKET_OUT_MARK = 0x0000;

const bit<8> IP_PROTO_TCP    = 6;
const bit<8> IP_PROTO_UDP    = 17;
const bit<8> IP_PROTO_FRAG   = 44;  /* IPv6 fragment header */
const bit<8> IP_PROTO_ICMPV6 = 58;

const bit<8> ICMP6_MLD_QUERY    = 130;  /* 130..132: MLDv1 query, report, done */
const bit<8> ICMP6_ROUTER_SOL   = 133;
const bit<8> ICMP6_NEIGHBOR_SOL = 135;
const bit<8> ICMP6_NEIGHBOR_ADV = 136;
const bit<8> ICMP6_REDIRECT     = 137;
const bit<8> ICMP6_MLD2_REPORT  = 143;

const bit<8> ND_OPT_TARGET_LLADDR = 2;
const bit<16> ND_NS_LEN          = 24;  /* NS/NA body without options */
const bit<16> ND_NS_LEN_WITH_OPT = 32;  /* ... with one 8-byte option */
const bit<8>  ND_HOP_LIMIT       = 255;

const bit<16> ARP_HTYPE_ETHERNET = 1;
const bit<16> ARP_OPER_REQUEST   = 1;
const bit<16> ARP_OPER_REPLY     = 2;

const bit<48> MAC_BROADCAST       = 0xFFFFFFFFFFFF;
const bit<48> MAC_ALL_NODES_V6    = 0x333300000001;       /* ff02::1 */
const bit<128> IPV6_ALL_NODES     = 0xFF020000000000000000000000000001;
const bit<128> IPV4_MAPPED_PREFIX = 0x00000000000000000000FFFF00000000;

/* ---- Port roles (set by EdgeIngress.ports) -------------------------------- */

const bit<2> ROLE_NONE   = 0;
const bit<2> ROLE_ACCESS = 1;
const bit<2> ROLE_UPLINK = 2;
const bit<2> ROLE_CPU    = 3;

/* ---- Meter colours (v1model) ---------------------------------------------- */

const bit<2> COLOR_GREEN = V1MODEL_METER_COLOR_GREEN;
const bit<2> COLOR_RED   = V1MODEL_METER_COLOR_RED;

/* ---- Address rewrites requested of the egress ------------------------------ */

const bit<2> REWRITE_NONE = 0;
const bit<2> REWRITE_SRC  = 1;
const bit<2> REWRITE_DST  = 2;

/* ---- Requests to the controller (edge_metadata_t.ctrl_request) ------------- */

const bit<2> CTRL_NONE           = 0;
const bit<2> CTRL_ACCESS_REQUEST = 1;  /* digest access_request_t */
const bit<2> CTRL_PUNT_RS        = 2;  /* packet-in, reason PUNT_ROUTER_SOLICIT */

/* ---- packet_in.reason ------------------------------------------------------ */

const bit<8> PUNT_ROUTER_SOLICIT = 1;  /* router solicitation from an access port */
const bit<8> PUNT_DEVICE_ASLEEP  = 2;  /* traffic held for a sleeping device */

/* ---- Drop reasons: the index into EdgeIngress.drops and EdgeEgress.drops --- */

const bit<8> DROP_NONE              = 0;
const bit<8> DROP_NO_ROLE           = 1;   /* ingress port has no role */
const bit<8> DROP_PARSER_ERROR      = 2;   /* truncated or malformed headers */
const bit<8> DROP_BAD_CHECKSUM      = 3;   /* IPv4 header checksum wrong */
const bit<8> DROP_BAD_PACKET_OUT    = 4;   /* packet_out misuse */
const bit<8> DROP_HOUSEKEEPING      = 5;   /* ND/MLD/ARP/DAD etc. dropped silently */
const bit<8> DROP_UNSUPPORTED       = 6;   /* not IP/ARP, or rewrite impossible */
const bit<8> DROP_UNKNOWN_DEVICE    = 7;   /* access: sender not registered */
const bit<8> DROP_SPOOFED_SOURCE    = 8;   /* access: address of a device on another port */
const bit<8> DROP_WRONG_VLAN        = 9;   /* access: device's port, another VLAN */
const bit<8> DROP_DISALLOWED_DEST   = 10;  /* access: destination not permitted */
const bit<8> DROP_OVER_RATE         = 11;  /* access: device meter is red */
const bit<8> DROP_NO_UPLINK         = 12;  /* access: customer has no uplink */
const bit<8> DROP_UPLINK_VLAN       = 13;  /* uplink: not a customer VLAN */
const bit<8> DROP_NOT_FROM_ENDPOINT = 14;  /* uplink: source not the customer's */
const bit<8> DROP_UNKNOWN_DEST      = 15;  /* uplink: destination not a device */
const bit<8> DROP_CROSS_CUSTOMER    = 16;  /* device or member of another customer */
const bit<8> DROP_UNKNOWN_GROUP     = 17;  /* uplink: group not registered */
const bit<8> DROP_NO_MEMBER         = 18;  /* egress: replica without a member entry */
const bit<8> DROP_NO_CPU_PORT       = 19;  /* would go to the controller; none set */

/* ---- Controller events: the index into EdgeIngress.to_controller.events ---- */

const bit<32> EVENT_REQUEST_SENT    = 0;  /* access_request digest generated */
const bit<32> EVENT_REQUEST_LIMITED = 1;  /* ... suppressed by the port's meter */
const bit<32> EVENT_RS_PUNTED       = 2;  /* router solicitation sent as packet-in */
const bit<32> EVENT_RS_LIMITED      = 3;  /* ... suppressed by the port's meter */

#endif
