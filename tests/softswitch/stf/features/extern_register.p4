/* Feature test: registers across packets, and indirect counters.
 *
 * Checks (P4TARGET 1.7, "register", "counter"): registers start at 0; a write by one packet is read
 * by a later packet; read-modify-write in one packet; the STF `register_write` command sets a cell
 * that the next packet reads; an out-of-range read leaves the destination unchanged; an
 * out-of-range write does nothing (the cells stay as they were); a register of int<8> keeps a
 * negative value; counter.count() with in-range and out-of-range indices runs without visible
 * effect on the packet.
 *
 * Input:  in_t = op (bit<8>), idx (bit<8>), val (bit<32>)
 *   op 1: r[idx] = val          op 2: val = r[idx]          op 3: r[idx] = r[idx] + 1, val = new value
 *   op 4: sr[idx] = (int<8>)val[7:0]                        op 5: val = (bit<32>)(bit<8>)sr[idx]
 * Output: in_t with val as left by the op, then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  op;
    bit<8>  idx;
    bit<32> val;
}
struct headers_t { in_t i; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    register<bit<32>>(8) r;
    register<int<8>>(4) sr;
    counter(8, CounterType.packets_and_bytes) pkt_count;

    apply {
        pkt_count.count((bit<32>)hdr.i.idx);
        if (hdr.i.op == 1) {
            r.write((bit<32>)hdr.i.idx, hdr.i.val);
        } else if (hdr.i.op == 2) {
            r.read(hdr.i.val, (bit<32>)hdr.i.idx);
        } else if (hdr.i.op == 3) {
            bit<32> cur;
            r.read(cur, (bit<32>)hdr.i.idx);
            cur = cur + 1;
            r.write((bit<32>)hdr.i.idx, cur);
            hdr.i.val = cur;
        } else if (hdr.i.op == 4) {
            sr.write((bit<32>)hdr.i.idx, (int<8>)hdr.i.val[7:0]);
        } else if (hdr.i.op == 5) {
            int<8> s;
            sr.read(s, (bit<32>)hdr.i.idx);
            hdr.i.val = (bit<32>)((bit<8>)s);
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
