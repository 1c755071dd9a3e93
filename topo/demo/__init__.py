"""The one-region demo: its topology, controller config and registrations (``make run``)."""
