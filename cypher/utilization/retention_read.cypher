// The readings of locked buckets of $day ($cis), read after the lock: what the last writer left.
UNWIND $cis AS ci
MATCH (d:UtilizationDay {ci: ci, day: $day})
RETURN d.ci AS ci, d.ms AS ms, d.bp AS bp
