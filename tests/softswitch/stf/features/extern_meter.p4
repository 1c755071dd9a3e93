/* Feature test: indirect meters.
 *
 * Checks (P4TARGET 1.7, "meter"): a meter index that was never configured reads GREEN (0); an
 * index configured with `meter_set_rates` behaves as a two-rate three-colour meter whose buckets
 * start full: with rates so low that no token comes back during the test (1e-9 per microsecond),
 * a committed burst of 1 and a peak burst of 2 (packet meter), packets read GREEN, YELLOW, RED,
 * RED; the byte meter (bursts 10 and 25 bytes, packets of 10 bytes) reads the same sequence. An
 * out-of-range index leaves the destination unchanged.
 *
 * Input:  in_t = idx (bit<8>), sel (bit<8>: 0 packet meter, else byte meter), pad (8 bytes, so
 *         every packet is 10 bytes long)
 * Output: in_t, out_t (pkt_color from the packet meter, byte_color from the byte meter, both
 *         preset to 0x77), then the payload.
 */
#include <core.p4>
#include <v1model.p4>

header in_t {
    bit<8>  idx;
    bit<8>  sel;
    bit<64> pad;
}
header out_t {
    bit<8> pkt_color;
    bit<8> byte_color;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    meter(32w4, MeterType.packets) pkt_meter;
    meter(32w4, MeterType.bytes) byte_meter;

    apply {
        hdr.o.setValid();
        hdr.o.pkt_color = 0x77;
        hdr.o.byte_color = 0x77;
        if (hdr.i.sel == 0) {
            pkt_meter.execute_meter((bit<32>)hdr.i.idx, hdr.o.pkt_color);
        } else {
            byte_meter.execute_meter((bit<32>)hdr.i.idx, hdr.o.byte_color);
        }
    }
}

control egress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) { apply { } }

control update(inout headers_t hdr, inout meta_t meta) { apply { } }

control deparser(packet_out pk, in headers_t hdr) {
    apply {
        pk.emit(hdr.i);
        pk.emit(hdr.o);
    }
}

V1Switch(ParserImpl(), vrfy(), ingress(), egress(), update(), deparser()) main;
