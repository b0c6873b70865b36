// The day buckets a batch of readings touches ($keys: [{ci, day}]), to merge the batch into: a raw bucket's
// readings, or a downsampled one's hours and sums (domain/retention.py).
UNWIND $keys AS k
MATCH (d:UtilizationDay {ci: k.ci, day: k.day})
RETURN d.ci AS ci, d.day AS day, d.ms AS ms, d.bp AS bp,
       d.hourBp AS hourBp, d.hourN AS hourN,
       d.n AS n, d.mt AS mt, d.my AS my, d.m2 AS m2, d.c AS c, d.lastMs AS lastMs, d.lastPct AS lastPct
