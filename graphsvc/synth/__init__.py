"""The deterministic synthetic CMDB generator (benchmarks, tests, `graphsvc generate`): generator.py lays out the
estate, records.py the ITIL records on it."""

from graphsvc.synth.generator import FORMAT, generate_cmdb

__all__ = ["FORMAT", "generate_cmdb"]
