// verify_checksum / update_checksum over an IPv4 header whose options are a varbit field,
// extracted with the two-argument extract (length from IHL, read with lookahead).
#include <core.p4>
#include <v1model.p4>

header res_t {
    bit<8> checksum_error;
    bit<8> options_bytes;
}

header ipv4_t {
    bit<4>      version;
    bit<4>      ihl;
    bit<8>      diffserv;
    bit<16>     totalLen;
    bit<16>     identification;
    bit<3>      flags;
    bit<13>     fragOffset;
    bit<8>      ttl;
    bit<8>      protocol;
    bit<16>     hdrChecksum;
    bit<32>     srcAddr;
    bit<32>     dstAddr;
    varbit<320> options;
}

struct headers_t {
    res_t  res;
    ipv4_t ipv4;
}

struct meta_t {}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        bit<4> ihl = pkt.lookahead<bit<8>>()[3:0];
        pkt.extract(hdr.ipv4, (bit<32>) (((bit<16>) ihl - 5) * 32));
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) {
    apply {
        verify_checksum(hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.diffserv, hdr.ipv4.totalLen,
              hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.fragOffset, hdr.ipv4.ttl,
              hdr.ipv4.protocol, hdr.ipv4.srcAddr, hdr.ipv4.dstAddr, hdr.ipv4.options },
            hdr.ipv4.hdrChecksum, HashAlgorithm.csum16);
    }
}

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    apply {
        hdr.ipv4.ttl = hdr.ipv4.ttl - 1;
        hdr.res.setValid();
        hdr.res.checksum_error = (bit<8>) sm.checksum_error;
        hdr.res.options_bytes = (bit<8>) (hdr.ipv4.ihl - 5) * 4;
        sm.egress_spec = 1;
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control upd(inout headers_t hdr, inout meta_t m) {
    apply {
        update_checksum(hdr.ipv4.isValid(),
            { hdr.ipv4.version, hdr.ipv4.ihl, hdr.ipv4.diffserv, hdr.ipv4.totalLen,
              hdr.ipv4.identification, hdr.ipv4.flags, hdr.ipv4.fragOffset, hdr.ipv4.ttl,
              hdr.ipv4.protocol, hdr.ipv4.srcAddr, hdr.ipv4.dstAddr, hdr.ipv4.options },
            hdr.ipv4.hdrChecksum, HashAlgorithm.csum16);
    }
}

control dprs(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.res);
        pkt.emit(hdr.ipv4);
    }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
