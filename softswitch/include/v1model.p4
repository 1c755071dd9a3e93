/* softswitch: the v1model architecture (BMv2 simple_switch).
 * Declares the same names, signatures and annotations as the v1model.p4
 * shipped with p4c, so programs compile unchanged with either.
 *
 * V1MODEL_VERSION selects the API revision: 20180101 (the default) or,
 * when a program defines it as 20200408 or later before including this
 * file, the revision with PortId_t and index-type parameters I on
 * counter, meter and register. */

#ifndef _V1_MODEL_P4_
#define _V1_MODEL_P4_

#include "core.p4"

#ifndef V1MODEL_VERSION
#define V1MODEL_VERSION 20180101
#endif

/* Extra match kinds: range, optional (exact or wildcard), and selector
 * (the key of an action selector). */
match_kind {
    range,
    optional,
    selector
}

const bit<32> __v1model_version = V1MODEL_VERSION;

#if V1MODEL_VERSION >= 20200408
typedef bit<9>  PortId_t;
#endif

/* Per-packet intrinsic metadata. @alias gives the BMv2 name of a field. */
@metadata @name("standard_metadata")
struct standard_metadata_t {
#if V1MODEL_VERSION >= 20200408
    PortId_t    ingress_port;
    PortId_t    egress_spec;
    PortId_t    egress_port;
#else
    bit<9>      ingress_port;
    bit<9>      egress_spec;
    bit<9>      egress_port;
#endif
    bit<32>     instance_type;
    bit<32>     packet_length;
    @alias("queueing_metadata.enq_timestamp")
    bit<32>     enq_timestamp;
    @alias("queueing_metadata.enq_qdepth")
    bit<19>     enq_qdepth;
    @alias("queueing_metadata.deq_timedelta")
    bit<32>     deq_timedelta;
    @alias("queueing_metadata.deq_qdepth")
    bit<19>     deq_qdepth;
    @alias("intrinsic_metadata.ingress_global_timestamp")
    bit<48>     ingress_global_timestamp;
    @alias("intrinsic_metadata.egress_global_timestamp")
    bit<48>     egress_global_timestamp;
    @alias("intrinsic_metadata.mcast_grp")
    bit<16>     mcast_grp;
    @alias("intrinsic_metadata.egress_rid")
    bit<16>     egress_rid;
    bit<1>      checksum_error;
    error       parser_error;
    @alias("intrinsic_metadata.priority")
    bit<3>      priority;
}

/* What a counter counts. */
enum CounterType {
    packets,
    bytes,
    packets_and_bytes
}

/* What a meter measures. */
enum MeterType {
    packets,
    bytes
}

/* An array of counters, indexed from 0. */
extern counter
#if V1MODEL_VERSION >= 20200408
<I>
#endif
{
    counter(bit<32> size, CounterType type);
#if V1MODEL_VERSION >= 20200408
    void count(in I index);
#else
    void count(in bit<32> index);
#endif
}

/* A counter attached to a table: one cell per entry, counted on a hit. */
extern direct_counter {
    direct_counter(CounterType type);
    void count();
}

/* Colours written by meters. */
#define V1MODEL_METER_COLOR_GREEN  0
#define V1MODEL_METER_COLOR_YELLOW 1
#define V1MODEL_METER_COLOR_RED    2

/* An array of two-rate three-colour meters. */
extern meter
#if V1MODEL_VERSION >= 20200408
<I>
#endif
{
    meter(bit<32> size, MeterType type);
#if V1MODEL_VERSION >= 20200408
    void execute_meter<T>(in I index, out T result);
#else
    void execute_meter<T>(in bit<32> index, out T result);
#endif
}

/* A meter attached to a table; read() gives the colour of the last hit. */
extern direct_meter<T> {
    direct_meter(MeterType type);
    void read(out T result);
}

/* An array of state cells that keep their value across packets. */
#if V1MODEL_VERSION >= 20200408
extern register<T, I>
#else
extern register<T>
#endif
{
    register(bit<32> size);
    @noSideEffects
#if V1MODEL_VERSION >= 20200408
    void read(out T result, in I index);
#else
    void read(out T result, in bit<32> index);
#endif
#if V1MODEL_VERSION >= 20200408
    void write(in I index, in T value);
#else
    void write(in bit<32> index, in T value);
#endif
}

/* Action data shared between table entries. */
extern action_profile {
    action_profile(bit<32> size);
}

/* A uniformly random value in [lo, hi]. */
extern void random<T>(out T result, in T lo, in T hi);

/* Send data to the control plane (receiver is ignored by BMv2). */
extern void digest<T>(in bit<32> receiver, in T data);

/* Algorithms for hash, action_selector and the checksum externs. */
enum HashAlgorithm {
    crc32,
    crc32_custom,
    crc16,
    crc16_custom,
    random,
    identity,
    csum16,
    xor16
}

/* Old form without arguments. */
@deprecated("Please use mark_to_drop(standard_metadata) instead.")
extern void mark_to_drop();

/* Drop the packet at the end of the current pipeline unless later code
 * sets another destination. */
@pure
extern void mark_to_drop(inout standard_metadata_t standard_metadata);

/* result = base + (hash of data) mod max. */
@pure
extern void hash<O, T, D, M>(out O result, in HashAlgorithm algo, in T base, in D data, in M max);

/* Action data chosen among a group's members by a hash of the selector keys. */
extern action_selector {
    action_selector(HashAlgorithm algorithm, bit<32> size, bit<32> outputWidth);
}

/* Where a clone is made: ingress-to-egress or egress-to-egress. */
enum CloneType {
    I2E,
    E2E
}

/* Old checksum unit. */
@deprecated("Please use verify_checksum/update_checksum instead.")
extern Checksum16 {
    Checksum16();
    bit<16> get<D>(in D data);
}

/* Checksum checking (VerifyChecksum control) and computing (ComputeChecksum
 * control); the _with_payload forms also cover the unparsed payload. */
extern void verify_checksum<T, O>(in bool condition, in T data, in O checksum, HashAlgorithm algo);

@pure
extern void update_checksum<T, O>(in bool condition, in T data, inout O checksum, HashAlgorithm algo);

extern void verify_checksum_with_payload<T, O>(in bool condition, in T data, in O checksum, HashAlgorithm algo);

@noSideEffects
extern void update_checksum_with_payload<T, O>(in bool condition, in T data, inout O checksum, HashAlgorithm algo);

/* Clone the packet to a mirroring session, keeping no metadata. */
extern void clone(in CloneType type, in bit<32> session);

/* Run ingress again on the original packet. */
@deprecated("Please use 'resubmit_preserving_field_list' instead")
extern void resubmit<T>(in T data);

/* Resubmit keeping the user metadata fields tagged @field_list(index). */
extern void resubmit_preserving_field_list(bit<8> index);

/* Send the deparsed packet back to the start of the pipeline. */
@deprecated("Please use 'recirculate_preserving_field_list' instead")
extern void recirculate<T>(in T data);

/* Recirculate keeping the user metadata fields tagged @field_list(index). */
extern void recirculate_preserving_field_list(bit<8> index);

/* Clone carrying some metadata along. */
@deprecated("Please use 'clone_preserving_field_list' instead")
extern void clone3<T>(in CloneType type, in bit<32> session, in T data);

/* Clone keeping the user metadata fields tagged @field_list(index). */
extern void clone_preserving_field_list(in CloneType type, in bit<32> session, bit<8> index);

/* Send at most length bytes of the packet. */
extern void truncate(in bit<32> length);

/* Stop the switch (with a log message) when check is false. */
extern void assert(in bool check);
extern void assume(in bool check);

/* Write a message, optionally formatted with data, to the switch log. */
extern void log_msg(string msg);
extern void log_msg<T>(string msg, in T data);

/* The six programmable blocks of the pipeline, in the order they run. */
parser Parser<H, M>(packet_in b,
                    out H parsedHdr,
                    inout M meta,
                    inout standard_metadata_t standard_metadata);

control VerifyChecksum<H, M>(inout H hdr,
                             inout M meta);

@pipeline
control Ingress<H, M>(inout H hdr,
                      inout M meta,
                      inout standard_metadata_t standard_metadata);

@pipeline
control Egress<H, M>(inout H hdr,
                     inout M meta,
                     inout standard_metadata_t standard_metadata);

control ComputeChecksum<H, M>(inout H hdr,
                              inout M meta);

@deparser
control Deparser<H>(packet_out b, in H hdr);

/* The top-level package: instantiate it as "main". */
package V1Switch<H, M>(Parser<H, M> p,
                       VerifyChecksum<H, M> vr,
                       Ingress<H, M> ig,
                       Egress<H, M> eg,
                       ComputeChecksum<H, M> ck,
                       Deparser<H> dep
                       );

#endif  /* _V1_MODEL_P4_ */
