"""softswitch's P4Runtime server, behaving like simple_switch_grpc (PI).

Pieces: :mod:`.server` (gRPC service and startup), :mod:`.device` (engine lock, active pipeline,
packet I/O, timers), :mod:`.arbitration`, :mod:`.stream`, :mod:`.pipeline_config`,
:mod:`.entities` / :mod:`.table_entries` / :mod:`.action_profile_entries` (proto ↔ engine),
:mod:`.read`, :mod:`.digests`, :mod:`.errors` (PI's error model).
"""
