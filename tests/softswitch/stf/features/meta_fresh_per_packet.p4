/* Feature test: nothing leaks from one packet to the next.
 *
 * Checks (P4TARGET 1.1 step 1, 2 "Values"): user metadata (also a nested struct field) is 0 at the
 * start of every packet, even after a previous packet wrote it; metadata written in ingress is
 * seen in egress of the same packet; headers start invalid (a header the previous packet extracted
 * or set valid is not valid for the next one); egress_spec and mcast_grp start at 0 (a packet
 * that does not choose a port leaves on port 0, and one that set a multicast group does not make
 * the next one multicast).
 *
 * Input:  in_t.op (bit<8>) | opt_t (1 byte) when op == 1 | payload
 *   op 1: meta.x = 0x55, meta.inner.y = 0x66, egress_spec = 2, extra.setValid()
 *   op 2: mcast_grp = 1 (group 1 = port 3 only, rid 7)
 * Output: out_t (x_in: meta.x when ingress started; y_in: meta.inner.y then; x_eg: meta.x in
 *         egress; flags: 1 opt valid, 2 extra valid at ingress start), in_t, opt_t, extra_t,
 *         then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t { bit<8> op; }
header opt_t { bit<8> v; }
header extra_t { bit<8> v; }
header out_t {
    bit<8> x_in;
    bit<8> y_in;
    bit<8> x_eg;
    bit<8> flags;
}
struct inner_t { bit<8> y; }
struct meta_t {
    bit<8>  x;
    inner_t inner;
}
struct headers_t { out_t o; in_t i; opt_t opt; extra_t extra; }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start {
        pk.extract(hdr.i);
        transition select(hdr.i.op) {
            1: parse_opt;
            default: accept;
        }
    }
    state parse_opt { pk.extract(hdr.opt); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        bit<8> f = 0;
        if (hdr.opt.isValid()) { f = f | 1; }
        if (hdr.extra.isValid()) { f = f | 2; }
        hdr.o.setValid();
        hdr.o.flags = f;
        hdr.o.x_in = meta.x;
        hdr.o.y_in = meta.inner.y;
        if (hdr.i.op == 1) {
            meta.x = 0x55;
            meta.inner.y = 0x66;
            sm.egress_spec = 2;
            hdr.extra.setValid();
            hdr.extra.v = 0xE1;
        } else if (hdr.i.op == 2) {
            sm.mcast_grp = 1;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    apply {
        hdr.o.x_eg = meta.x;
    }
}

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.o);
        pk.emit(hdr.i);
        pk.emit(hdr.opt);
        pk.emit(hdr.extra);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
