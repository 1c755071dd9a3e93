/* p4edge IoT edge: port roles (instance EdgeIngress.ports).
 *
 * No port number is built into the program: the controller names its access
 * and uplink ports with port_role entries and its CPU port with the default
 * action of the keyless cpu_port table. */

#ifndef P4EDGE_PORTS_P4
#define P4EDGE_PORTS_P4

control PortRoles(inout headers_t hdr,
                  inout edge_metadata_t meta,
                  in standard_metadata_t standard_metadata) {

    @brief("The port faces devices.")
    action set_access_port() {
        meta.role = ROLE_ACCESS;
    }

    @brief("The port faces customer VPCs over per-customer VLANs.")
    action set_uplink_port() {
        meta.role = ROLE_UPLINK;
    }

    @brief("Role of each ingress port; a port without an entry drops everything.")
    table port_role {
        key = {
            standard_metadata.ingress_port: exact @name("port");
        }
        actions = {
            set_access_port;
            set_uplink_port;
            @defaultonly NoAction;
        }
        const default_action = NoAction();
        size = PORT_TABLE_SIZE;
    }

    @brief("Names the CPU port: PacketOuts arrive on it, PacketIns leave by it.")
    action set_cpu_port(bit<9> port) {
        meta.cpu_port = port;
        meta.cpu_port_set = 1;
    }

    @brief("Keyless; the controller sets its default action to set_cpu_port.")
    table cpu_port {
        actions = {
            set_cpu_port;
            NoAction;
        }
        default_action = NoAction();
    }

    apply {
        if (hdr.vlan.isValid()) {
            meta.vlan = hdr.vlan.vid;
        }
        cpu_port.apply();
        if (meta.cpu_port_set == 1 && standard_metadata.ingress_port == meta.cpu_port) {
            meta.role = ROLE_CPU;
        } else {
            port_role.apply();
        }
    }
}

#endif
