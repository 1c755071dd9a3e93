/* p4edge IoT edge: requests to the controller (instance EdgeIngress.to_controller).
 *
 * Access requests (digest access_request_t) and router solicitations
 * (packet-in, reason PUNT_ROUTER_SOLICIT) share one meter per ingress port,
 * request_meter, in packets: only a GREEN packet reaches the controller, so a
 * flood from one port cannot overwhelm it. The controller configures the meter
 * for each access port (an unconfigured meter is always GREEN). The events
 * counter tells how many requests were sent and how many the meter suppressed. */

#ifndef P4EDGE_CONTROLLER_IO_P4
#define P4EDGE_CONTROLLER_IO_P4

control ToController(inout headers_t hdr,
                     inout edge_metadata_t meta,
                     inout standard_metadata_t standard_metadata) {

    @brief("Per ingress port: rate of access requests and solicitations to the controller.")
    meter(PORT_COUNT, MeterType.packets) request_meter;

    @brief("Requests sent to / suppressed from the controller, by EVENT_* index.")
    counter(EVENT_COUNT, CounterType.packets) events;

    apply {
        if (meta.ctrl_request != CTRL_NONE) {
            request_meter.execute_meter((bit<32>)standard_metadata.ingress_port,
                                        meta.request_color);
            bool allowed = meta.request_color == COLOR_GREEN;
            if (meta.ctrl_request == CTRL_ACCESS_REQUEST) {
                if (allowed) {
                    digest<access_request_t>(1, meta.request);
                    events.count(EVENT_REQUEST_SENT);
                } else {
                    events.count(EVENT_REQUEST_LIMITED);
                }
            } else if (!allowed) {
                meta.drop_reason = DROP_HOUSEKEEPING;
                events.count(EVENT_RS_LIMITED);
            } else if (meta.cpu_port_set == 0) {
                meta.drop_reason = DROP_NO_CPU_PORT;
            } else {
                standard_metadata.egress_spec = meta.cpu_port;
                meta.punt_reason = PUNT_ROUTER_SOLICIT;
                events.count(EVENT_RS_PUNTED);
            }
        }
    }
}

#endif
