/* P4Info golden program: new types and translations.
 *
 * @p4runtime_translation to a width and to string, a plain `type`, a typedef, a packet_in header
 * with translated fields, @id on action parameters and match fields, a global action shared by
 * two controls, a global table name, registers of bit<48> and int<7>, and a digest of new types.
 */
#include <core.p4>
#include <v1model.p4>
@p4runtime_translation("p4.org/psa/v1/PortId_t", 32) type bit<9> port_t;
@p4runtime_translation("x/str", string) type bit<16> name_t;
type bit<12> vid_t;
typedef bit<48> mac_t;
@controller_header("packet_in")
header pin_t { port_t ingress_port; vid_t v; bit<3> pad; name_t nm; }
header h_t { mac_t dst; bit<16> b; }
struct headers_t { pin_t pin; h_t h; }
struct meta_t { bit<8> x; port_t p; vid_t v; name_t nm; mac_t mac; }
struct dg_t { port_t p; vid_t v; mac_t mac; }
parser P(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start { pkt.extract(hdr.h); transition accept; }
}
control VC(inout headers_t hdr, inout meta_t m) { apply { } }
@name(".shared") action shared(port_t p) { }
control Ing(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    @name(".shared_counter") counter(2, CounterType.bytes) c1;
    register<bit<48>>(4) regs;
    register<int<7>>(16) regs2;
    action set(@id(7) port_t p, vid_t v, @id(2) name_t nm, mac_t mac) { m.p = p; m.v = v; m.nm = nm; m.mac = mac; }
    @name(".glob_t") table t {
        key = { m.p: exact @id(9); m.v: exact; m.nm: exact; hdr.h.dst: exact @id(1); }
        actions = { set; shared; }
        default_action = shared((port_t)9w1);
    }
    apply { t.apply(); c1.count(0); regs.write(0, 1); regs2.write(1, 7s1); digest<dg_t>(1, {m.p, m.v, m.mac}); }
}
control Egr(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    table t2 { key = { m.x: exact; } actions = { shared; } }
    apply { t2.apply(); }
}
control CC(inout headers_t hdr, inout meta_t m) { apply { } }
control D(packet_out pkt, in headers_t hdr) { apply { pkt.emit(hdr.h); } }
V1Switch(P(), VC(), Ing(), Egr(), CC(), D()) main;
