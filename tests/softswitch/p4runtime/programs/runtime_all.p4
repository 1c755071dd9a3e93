// A program exercising every P4Runtime entity kind softswitch serves.
#include <core.p4>
#include <v1model.p4>

#define CPU_PORT 64

@controller_header("packet_out")
header packet_out_t {
    bit<9> egress_port;
    bit<7> flags;
}

@controller_header("packet_in")
header packet_in_t {
    bit<9> ingress_port;
    bit<7> reason;
}

header ethernet_t {
    bit<48> dst;
    bit<48> src;
    bit<16> ether_type;
}

struct headers_t {
    packet_out_t packet_out;
    packet_in_t packet_in;
    ethernet_t eth;
}

struct learn_t {
    bit<48> src;
    bit<9> port;
}

struct metadata_t {
    bit<32> color;
}

parser ParserImpl(packet_in packet, out headers_t hdr, inout metadata_t meta,
                  inout standard_metadata_t standard_metadata) {
    value_set<bit<16>>(4) special_types;
    state start {
        transition select(standard_metadata.ingress_port) {
            CPU_PORT: parse_packet_out;
            default: parse_ethernet;
        }
    }
    state parse_packet_out {
        packet.extract(hdr.packet_out);
        transition parse_ethernet;
    }
    state parse_ethernet {
        packet.extract(hdr.eth);
        transition select(hdr.eth.ether_type) {
            special_types: accept;
            default: accept;
        }
    }
}

control VerifyImpl(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control IngressImpl(inout headers_t hdr, inout metadata_t meta,
                    inout standard_metadata_t standard_metadata) {
    direct_counter(CounterType.packets_and_bytes) exact_counter;
    direct_meter<bit<32>>(MeterType.bytes) lpm_meter;
    counter(128, CounterType.packets_and_bytes) port_counter;
    counter(8, CounterType.packets) packet_only_counter;
    meter(16, MeterType.packets) port_meter;
    register<bit<32>>(16) scratch;
    action_selector(HashAlgorithm.crc16, 32w32, 32w16) selector;

    action fwd(bit<9> port) {
        standard_metadata.egress_spec = port;
    }
    action my_drop() {
        mark_to_drop(standard_metadata);
    }
    action to_cpu(bit<7> reason) {
        standard_metadata.egress_spec = CPU_PORT;
        hdr.packet_in.setValid();
        hdr.packet_in.ingress_port = standard_metadata.ingress_port;
        hdr.packet_in.reason = reason;
    }
    action set_mcast(bit<16> grp) {
        standard_metadata.mcast_grp = grp;
    }
    action fwd_counted(bit<9> port) {
        standard_metadata.egress_spec = port;
    }
    action fwd_metered(bit<9> port) {
        lpm_meter.read(meta.color);
        standard_metadata.egress_spec = port;
    }
    @defaultonly action default_only_act() { }
    @tableonly action table_only_act() { }

    table t_exact {
        key = { hdr.eth.dst : exact; }
        actions = { fwd_counted; my_drop; to_cpu; set_mcast; @tableonly table_only_act; NoAction; }
        counters = exact_counter;
        size = 4;
    }
    table t_lpm {
        key = { hdr.eth.src : lpm; }
        actions = { fwd_metered; @defaultonly default_only_act; NoAction; }
        meters = lpm_meter;
        default_action = NoAction();
    }
    table t_ternary {
        key = { hdr.eth.ether_type : ternary; hdr.eth.dst : exact; }
        actions = { fwd; NoAction; }
    }
    table t_range {
        key = { hdr.eth.ether_type : range; }
        actions = { fwd; NoAction; }
    }
    table t_optional {
        key = { hdr.eth.ether_type : optional; hdr.eth.src : optional; }
        actions = { fwd; NoAction; }
    }
    table t_const {
        key = { hdr.eth.ether_type : exact; }
        actions = { fwd; NoAction; }
        const default_action = NoAction();
        const entries = {
            0x0801 : fwd(7);
            0x0802 : fwd(8);
        }
    }
    table t_idle {
        key = { hdr.eth.src : exact; }
        actions = { NoAction; }
        support_timeout = true;
    }
    table t_select {
        key = { hdr.eth.ether_type : exact; hdr.eth.src : selector; }
        actions = { fwd; NoAction; }
        implementation = selector;
    }
    table t_big {
        key = { hdr.eth.dst : exact; }
        actions = { fwd; NoAction; }
        size = 200000;
    }

    apply {
        port_counter.count((bit<32>) standard_metadata.ingress_port);
        if (hdr.packet_out.isValid()) {
            if (hdr.packet_out.flags == 0 || hdr.packet_out.flags > 3) {
                // CPU-port packets go straight back to the CPU port
                standard_metadata.egress_spec = CPU_PORT;
                hdr.packet_in.setValid();
                hdr.packet_in.ingress_port = standard_metadata.ingress_port;
                hdr.packet_in.reason = hdr.packet_out.flags;
                hdr.packet_out.setInvalid();
                return;
            }
            // flags 1..3: run the packet through the tables like any received packet
            hdr.packet_out.setInvalid();
        }
        if (!t_exact.apply().hit) {
            digest<learn_t>(1, {hdr.eth.src, standard_metadata.ingress_port});
        }
        t_lpm.apply();
        t_ternary.apply();
        t_range.apply();
        t_optional.apply();
        t_const.apply();
        t_idle.apply();
        t_select.apply();
        t_big.apply();
    }
}

control EgressImpl(inout headers_t hdr, inout metadata_t meta,
                   inout standard_metadata_t standard_metadata) {
    apply { }
}

control ComputeImpl(inout headers_t hdr, inout metadata_t meta) {
    apply { }
}

control DeparserImpl(packet_out packet, in headers_t hdr) {
    apply {
        packet.emit(hdr.packet_in);
        packet.emit(hdr.eth);
    }
}

V1Switch(ParserImpl(), VerifyImpl(), IngressImpl(), EgressImpl(), ComputeImpl(), DeparserImpl()) main;
