// The day buckets a batch of readings touches ($keys: [{ci, day}]), to merge the batch into.
UNWIND $keys AS k
MATCH (d:UtilizationDay {ci: k.ci, day: k.day})
RETURN d.ci AS ci, d.day AS day, d.ms AS ms, d.pct AS pct
