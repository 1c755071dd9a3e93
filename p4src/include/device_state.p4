/* p4edge IoT edge: per-device state kept by the data plane.
 *
 * Indexed by the dev_id the controller gives each device (0 .. 999999). Only
 * the data plane writes them (BMv2's P4Runtime server cannot write registers):
 *   device_mac      the MAC the device last sent from: the destination MAC of
 *                   traffic to it (broadcast until it has sent once);
 *   device_anycast  1 if the device's last packet went to the customer's anycast
 *                   address: traffic from its endpoint then gets the anycast
 *                   address back as its source.
 * They are declared at the top level because the ingress (both directions) and
 * the egress (multicast copies) use them. */

#ifndef P4EDGE_DEVICE_STATE_P4
#define P4EDGE_DEVICE_STATE_P4

@brief("Data plane only: the MAC each device last sent from, by dev_id.")
register<bit<48>>(DEVICE_TABLE_SIZE) device_mac;
@brief("Data plane only: 1 if the device last addressed its customer's anycast address.")
register<bit<1>>(DEVICE_TABLE_SIZE) device_anycast;

#endif
