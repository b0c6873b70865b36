// Every CI's day buckets from $first to $last (dates, inclusive), for the capacity forecast, one row a CI: the stored
// sums of the days wholly inside combined pairwise in day order (Chan, Golub and LeVeque, as
// analysis/forecast.forecast_from_days combines them; x in days since $first), with the latest of those days' last
// reading; and whole, the days the window cuts ($first, and $last when it holds readings after $lastMs, the window's
// end): their readings (or a downsampled day's hours) and sums.
MATCH (d:UtilizationDay)
WHERE d.day >= $first AND d.day <= $last
WITH d, d.day = $first OR (d.day = $last AND d.lastMs > $lastMs) AS cut
ORDER BY d.day
WITH d.ci AS ci,
     collect(CASE WHEN cut THEN {day: d.day, n: d.n, mt: d.mt, my: d.my, m2: d.m2, c: d.c, lastMs: d.lastMs,
                                 lastPct: d.lastPct, ms: d.ms, bp: d.bp, hourBp: d.hourBp, hourN: d.hourN} END) AS cuts,
     collect(CASE WHEN NOT cut THEN {x: duration.inDays($first, d.day).days + d.mt, n: d.n, my: d.my, m2: d.m2,
                                     c: d.c, day: d.day, lastMs: d.lastMs, lastPct: d.lastPct} END) AS whole
WITH ci, cuts, whole,
     reduce(a = {n: 0, mx: 0.0, my: 0.0, m2: 0.0, c: 0.0}, w IN whole |
       {n: a.n + w.n,
        mx: a.mx + (w.x - a.mx) * w.n / toFloat(a.n + w.n),
        my: a.my + (w.my - a.my) * w.n / toFloat(a.n + w.n),
        m2: a.m2 + w.m2 + (w.x - a.mx) * (w.x - a.mx) * toFloat(a.n * w.n) / (a.n + w.n),
        c: a.c + w.c + (w.x - a.mx) * (w.my - a.my) * toFloat(a.n * w.n) / (a.n + w.n)}) AS s
RETURN ci, cuts, s.n AS n, s.mx AS mx, s.my AS my, s.m2 AS m2, s.c AS c,
       CASE WHEN size(whole) > 0 THEN whole[-1].day END AS lastDay,
       CASE WHEN size(whole) > 0 THEN whole[-1].lastMs END AS lastMs,
       CASE WHEN size(whole) > 0 THEN whole[-1].lastPct END AS lastPct
