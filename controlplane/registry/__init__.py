"""The registry of one regional cluster: customers (VPCs), devices, multicast groups and access
requests.

- ``model``: the records (frozen dataclasses) and the specs/patches callers hand in;
- ``service.Registry``: the service layer (validate, store, update memory, publish a change set);
- ``changes``: the change feed (``ChangeSet`` of ``Change(before, after)`` per record);
- ``validation``, ``addresses``: the rules, and fast canonical IP parsing;
- ``store`` (interface), ``store_sqlite`` (the embedded default);
- ``imports``: bulk import jobs; ``access_requests``: digests of unknown senders;
- ``dataplane``: what the REST API asks of the switches' side (implemented by controlplane/edge).
"""
