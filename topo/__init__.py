"""Network topologies (namespaces, veth pairs) for tests, benchmarks and demos."""
