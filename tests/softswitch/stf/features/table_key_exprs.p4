/* Feature test: table keys that are not plain fields.
 *
 * Checks (P4TARGET 2, "Key expressions"; 4, match-field names): a low slice hdr.i.a[3:0] as an
 * exact key; a masked field hdr.i.b & 0xF0 as a ternary key (the mask applies to the packet value
 * before the entry's own mask); a computed key hdr.i.a + hdr.i.c (wraps at 8 bits) as an exact
 * key; a serializable-enum field and a bool field as exact keys. Every key carries @name, which
 * is the name STF uses; a bool key and an enum key take plain numbers.
 *
 * Input:  in_t = a, b, c (bit<8>), p (serializable enum, bit<8>), flag (bool), pad (bit<7>)
 * Output: in_t, out_t (r1 from t_slice_mask, r2 from t_sum, r3 from t_enum_bool; 0xEE on a miss),
 *         then the payload.
 */
#include <core.p4>
#include <v1model.p4>

enum bit<8> Proto { Tcp = 6, Udp = 17 }

header in_t {
    bit<8> a;
    bit<8> b;
    bit<8> c;
    Proto  p;
    bool   flag;
    bit<7> pad;
}
header out_t {
    bit<8> r1;
    bit<8> r2;
    bit<8> r3;
}
struct headers_t { in_t i; out_t o; }
struct meta_t { }

parser ParserImpl(packet_in pk, out headers_t hdr, inout meta_t meta,
                  inout standard_metadata_t sm) {
    state start { pk.extract(hdr.i); transition accept; }
}

control vrfy(inout headers_t hdr, inout meta_t meta) { apply { } }

control ingress(inout headers_t hdr, inout meta_t meta, inout standard_metadata_t sm) {
    action set1(bit<8> v) { hdr.o.r1 = v; }
    action set2(bit<8> v) { hdr.o.r2 = v; }
    action set3(bit<8> v) { hdr.o.r3 = v; }
    action miss1() { hdr.o.r1 = 0xEE; }
    action miss2() { hdr.o.r2 = 0xEE; }
    action miss3() { hdr.o.r3 = 0xEE; }

    table t_slice_mask {
        key = {
            hdr.i.a[3:0]: exact @name("a_lo");
            hdr.i.b & 0xF0: ternary @name("b_hi");
        }
        actions = { set1; miss1; }
        default_action = miss1();
    }
    table t_sum {
        key = { hdr.i.a + hdr.i.c: exact @name("sum"); }
        actions = { set2; miss2; }
        default_action = miss2();
    }
    table t_enum_bool {
        key = {
            hdr.i.p: exact @name("proto");
            hdr.i.flag: exact @name("flag");
        }
        actions = { set3; miss3; }
        default_action = miss3();
    }

    apply {
        hdr.o.setValid();
        t_slice_mask.apply();
        t_sum.apply();
        t_enum_bool.apply();
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
