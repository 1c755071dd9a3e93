/* p4edge IoT edge: device access control (instance EdgeIngress.access).
 *
 * A packet from an access port is admitted only if (port, VLAN, source
 * address) is a registered device: device_v6 / device_v4, one entry per device
 * and family. Those entries carry the device's idle timeout, a direct counter
 * and a direct meter configured with the rates of the device's profile. A red
 * packet is dropped (DROP_OVER_RATE).
 *
 * A sender that is not admitted is classified by known_addr_v6 / known_addr_v4,
 * which say where each registered address lives:
 *   - registered on another port         -> DROP_SPOOFED_SOURCE
 *   - registered on this port, other VLAN -> DROP_WRONG_VLAN
 *   - otherwise                          -> DROP_UNKNOWN_DEVICE, and an
 *     access request (digest) if the port's request meter allows it. */

#ifndef P4EDGE_ACCESS_P4
#define P4EDGE_ACCESS_P4

control AccessControl(inout headers_t hdr,
                      inout edge_metadata_t meta,
                      in standard_metadata_t standard_metadata) {

    @brief("Per IPv6 device: packets and bytes it sent.")
    direct_counter(CounterType.packets_and_bytes) device_v6_counter;
    @brief("Per IPv6 device: the rates of its profile; red packets are dropped.")
    direct_meter<bit<2>>(MeterType.bytes) device_v6_meter;
    @brief("Per IPv4 device: packets and bytes it sent.")
    direct_counter(CounterType.packets_and_bytes) device_v4_counter;
    @brief("Per IPv4 device: the rates of its profile; red packets are dropped.")
    direct_meter<bit<2>>(MeterType.bytes) device_v4_meter;

    @brief("Admit an IPv6 device; notify=1 also sends an access request (device waking).")
    action admit_v6(bit<20> dev_id, bit<16> customer_id, bit<128> endpoint, bit<1> notify) {
        device_v6_meter.read(meta.color);
        meta.dev_id = dev_id;
        meta.customer_id = customer_id;
        meta.endpoint = endpoint;
        meta.notify = notify;
    }

    @brief("Registered IPv6 devices by (port, VLAN, source address); idle timeout, counter, meter.")
    table device_v6 {
        key = {
            standard_metadata.ingress_port: exact @name("port");
            meta.vlan: exact @name("vlan");
            hdr.ipv6.src_addr: exact @name("src_addr");
        }
        actions = {
            admit_v6;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        counters = device_v6_counter;
        meters = device_v6_meter;
        support_timeout = true;
        size = DEVICE_TABLE_SIZE;
    }

    @brief("Admit an IPv4 device; notify=1 also sends an access request (device waking).")
    action admit_v4(bit<20> dev_id, bit<16> customer_id, bit<32> endpoint, bit<1> notify) {
        device_v4_meter.read(meta.color);
        meta.dev_id = dev_id;
        meta.customer_id = customer_id;
        meta.endpoint = (bit<128>)endpoint;
        meta.notify = notify;
    }

    @brief("Registered IPv4 devices by (port, VLAN, source address); idle timeout, counter, meter.")
    table device_v4 {
        key = {
            standard_metadata.ingress_port: exact @name("port");
            meta.vlan: exact @name("vlan");
            hdr.ipv4.src_addr: exact @name("src_addr");
        }
        actions = {
            admit_v4;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        counters = device_v4_counter;
        meters = device_v4_meter;
        support_timeout = true;
        size = DEVICE_TABLE_SIZE;
    }

    @brief("The address belongs to the device registered on this port and VLAN.")
    action registered_at(bit<9> port, bit<12> vlan) {
        meta.known_port = port;
        meta.known_vlan = vlan;
    }

    @brief("Where each registered IPv6 device address lives; classifies refused senders.")
    table known_addr_v6 {
        key = {
            hdr.ipv6.src_addr: exact @name("addr");
        }
        actions = {
            registered_at;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = DEVICE_TABLE_SIZE;
    }

    @brief("Where each registered IPv4 device address lives; classifies refused senders.")
    table known_addr_v4 {
        key = {
            hdr.ipv4.src_addr: exact @name("addr");
        }
        actions = {
            registered_at;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = DEVICE_TABLE_SIZE;
    }

    apply {
        bool admitted = false;
        bool known = false;
        bit<128> src = 0;
        if (hdr.ipv6.isValid()) {
            src = hdr.ipv6.src_addr;
            admitted = device_v6.apply().hit;
            if (!admitted) {
                known = known_addr_v6.apply().hit;
            }
        } else if (hdr.ipv4.isValid()) {
            src = IPV4_MAPPED_PREFIX | (bit<128>)hdr.ipv4.src_addr;
            admitted = device_v4.apply().hit;
            if (!admitted) {
                known = known_addr_v4.apply().hit;
            }
        }

        bool request = false;
        if (!hdr.ipv6.isValid() && !hdr.ipv4.isValid()) {
            meta.drop_reason = DROP_UNSUPPORTED;
        } else if (admitted) {
            if (meta.color == COLOR_RED) {
                meta.drop_reason = DROP_OVER_RATE;
            } else if (meta.notify == 1) {
                request = true;
            }
        } else if (known && meta.known_port != standard_metadata.ingress_port) {
            meta.drop_reason = DROP_SPOOFED_SOURCE;
        } else if (known && meta.known_vlan != meta.vlan) {
            meta.drop_reason = DROP_WRONG_VLAN;
        } else {
            meta.drop_reason = DROP_UNKNOWN_DEVICE;
            request = true;
        }

        if (request) {
            meta.ctrl_request = CTRL_ACCESS_REQUEST;
            meta.request.ingress_port = standard_metadata.ingress_port;
            meta.request.vlan = meta.vlan;
            meta.request.src_mac = hdr.ethernet.src_addr;
            meta.request.src_addr = src;
        }
    }
}

#endif
