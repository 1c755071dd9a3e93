/* Feature test: garbage and truncated packets.
 *
 * Checks: a packet shorter than the first header (an Ethernet header, 14 bytes) ends the parser with
 * PacketTooShort; nothing is extracted and every byte stays as payload; the packet still goes
 * through ingress, which sends it to port 3 because of the error (port 1 otherwise) and adds out_t
 * in front of it. A packet that has Ethernet but is too short for the next header (ipv4_t, cut to
 * 4 bytes here) keeps Ethernet valid.
 *
 * Input:  eth_t (14 bytes) | if eth.type == 0x0800: ipv4_t (4 bytes here) | payload
 * Output: out_t (err: 0 NoError, 1 PacketTooShort, 9 other; flags: 1 eth valid, 2 ip valid;
 *         in_port: low 8 bits of ingress_port), then eth_t, ipv4_t, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header eth_t {
    bit<48> dst;
    bit<48> src;
    bit<16> type;
}
header ipv4_t {
    bit<8>  ver_ihl;
    bit<8>  tos;
    bit<16> len;
}
header out_t {
    bit<8> err;
    bit<8> flags;
    bit<8> in_port;
}
struct headers_t { out_t o; eth_t eth; ipv4_t ip; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.eth);
        transition select(hdr.eth.type) {
            0x0800: parse_ip;
            default: accept;
        }
    }
    state parse_ip {
        pk.extract(hdr.ip);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.setValid();
        if (sm.parser_error == error.PacketTooShort) {
            sm.egress_spec = 3;
            hdr.o.err = 1;
        } else if (sm.parser_error == error.NoError) {
            sm.egress_spec = 1;
            hdr.o.err = 0;
        } else {
            sm.egress_spec = 2;
            hdr.o.err = 9;
        }
        hdr.o.flags = 0;
        if (hdr.eth.isValid()) { hdr.o.flags = hdr.o.flags | 1; }
        if (hdr.ip.isValid()) { hdr.o.flags = hdr.o.flags | 2; }
        hdr.o.in_port = (bit<8>)sm.ingress_port;
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.eth);
        pk.emit(hdr.ip);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
