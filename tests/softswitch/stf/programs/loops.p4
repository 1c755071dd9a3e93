// for loops (P4-16 1.2.4): three-clause loops, range/list/stack loops, break, continue,
// return and exit inside a loop. The header's op byte selects the case.
#include <core.p4>
#include <v1model.p4>

header h_t {
    bit<8> op;
    bit<8> a;
    bit<8> b;
    bit<8> r1;
    bit<8> r2;
}

header e_t {
    bit<8> v;
}

struct headers_t {
    h_t h;
    e_t[3] s;
}

struct meta_t {}

parser prs(packet_in pkt, out headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    state start {
        pkt.extract(hdr.h);
        pkt.extract(hdr.s.next);
        pkt.extract(hdr.s.next);
        pkt.extract(hdr.s.next);
        transition accept;
    }
}

control vrfy(inout headers_t hdr, inout meta_t m) { apply {} }
control upd(inout headers_t hdr, inout meta_t m) { apply {} }

bit<8> popcount(in bit<8> val) {
    bit<8> n = 0;
    bit<8> v = val;
    for (bit<8> k in 1 .. 8) {
        if (v == 0) {
            return n;
        }
        n = n + 1;
        v = v & (v - 1);
    }
    return n;
}

control ingress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) {
    action count_then_return() {
        for (bit<8> i = 0; i < 10; i = i + 1) {
            hdr.h.r1 = hdr.h.r1 + 1;
            if (i == 3) {
                return;
            }
        }
        hdr.h.r2 = 0x77;
    }

    table t_ret {
        actions = { count_then_return; }
        default_action = count_then_return();
    }

    apply {
        sm.egress_spec = 1;
        if (hdr.h.op == 1) {
            // the update wraps i (bit<3>): 0, 3, 6, 1, 4, then 7 ends the loop
            bit<8> n = hdr.h.a;
            bit<3> i;
            for (i = 0; i < 7; i = i + 3) {
                n = n + (bit<8>) i;
            }
            hdr.h.r1 = n;
            hdr.h.r2 = (bit<8>) i;
        } else if (hdr.h.op == 2) {
            // the body also advances the loop variable
            bit<8> n = 0;
            for (bit<8> i = 0; i < 8; i = i + 1) {
                i = i + 1;
                n = n + 1;
            }
            hdr.h.r1 = n;
        } else if (hdr.h.op == 3) {
            // range loop with break and continue (the update of a range loop is implicit)
            bit<8> sum = 0;
            bit<8> seen = 0;
            for (bit<8> i in 1 .. hdr.h.a) {
                if (i == hdr.h.b) {
                    break;
                }
                seen = seen + 1;
                if (i[0:0] == 0) {
                    continue;
                }
                sum = sum + i;
            }
            hdr.h.r1 = sum;
            hdr.h.r2 = seen;
        } else if (hdr.h.op == 4) {
            // a signed range
            int<8> sq = 0;
            bit<8> cnt = 0;
            for (int<8> i in -2 .. 2) {
                sq = sq + i * i;
                cnt = cnt + 1;
            }
            hdr.h.r1 = (bit<8>) sq;
            hdr.h.r2 = cnt;
        } else if (hdr.h.op == 5) {
            // over a header stack: the loop variable is a copy of each element
            bit<8> sum = 0;
            for (e_t e in hdr.s) {
                if (e.v == 0xFF) {
                    break;
                }
                sum = sum + e.v;
                e.v = 0;
            }
            hdr.h.r1 = sum;
        } else if (hdr.h.op == 6) {
            // nested loops (break leaves the inner one), two variables in one loop header
            bit<8> c = 0;
            for (bit<8> i in 0 .. 2) {
                for (bit<8> j in 0 .. 2) {
                    if (j == 1) {
                        break;
                    }
                    c = c + 1;
                }
            }
            bit<8> r = 0;
            for (bit<8> v = 0, bit<8> x = 1; v < hdr.h.a; v = v + 1, x = x << 1) {
                r = r + x;
            }
            hdr.h.r1 = c;
            hdr.h.r2 = r;
        } else if (hdr.h.op == 7) {
            // return inside a loop inside an action
            t_ret.apply();
        } else if (hdr.h.op == 8) {
            // exit inside a loop ends ingress
            for (bit<8> i = 0; i < 5; i = i + 1) {
                if (i == 2) {
                    exit;
                }
                hdr.h.r1 = hdr.h.r1 + 1;
            }
            hdr.h.r2 = 0x55;
        } else if (hdr.h.op == 9) {
            // over a list of values
            bit<8> sum = 0;
            for (bit<8> x in {hdr.h.a, hdr.h.b, 8w3}) {
                sum = sum + x;
            }
            hdr.h.r1 = sum;
        } else if (hdr.h.op == 10) {
            // range bounds are evaluated once; an empty range runs nothing
            bit<8> c = 0;
            for (bit<8> i in 0 .. hdr.h.a) {
                hdr.h.a = 0;
                c = c + 1;
            }
            bit<8> d = 0;
            for (bit<8> i in 5 .. 4) {
                d = d + 1;
            }
            hdr.h.r1 = c;
            hdr.h.r2 = d;
        } else if (hdr.h.op == 11) {
            hdr.h.r1 = popcount(hdr.h.a);
            hdr.h.r2 = popcount(hdr.h.b);
        } else if (hdr.h.op == 12) {
            // continue still runs the update of a three-clause loop
            bit<8> n = 0;
            for (bit<8> i = 0; i < 10; i = i + 1) {
                if (i < 6) {
                    continue;
                }
                n = n + i;
            }
            hdr.h.r1 = n;
        }
    }
}

control egress(inout headers_t hdr, inout meta_t m, inout standard_metadata_t sm) { apply {} }

control dprs(packet_out pkt, in headers_t hdr) {
    apply {
        pkt.emit(hdr.h);
        pkt.emit(hdr.s);
    }
}

V1Switch(prs(), vrfy(), ingress(), egress(), upd(), dprs()) main;
