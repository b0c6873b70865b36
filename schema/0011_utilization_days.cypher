// Utilization readings (graphsvc/db/utilization.py): one node per CI and UTC day holding that day's readings as two
// parallel arrays (milliseconds since the day's start, percents), not one node per reading.
CREATE CONSTRAINT utilization_day_key IF NOT EXISTS FOR (d:UtilizationDay) REQUIRE (d.ci, d.day) IS UNIQUE;
// The capacity forecast reads every CI's buckets of the last days.
CREATE INDEX utilization_day_day IF NOT EXISTS FOR (d:UtilizationDay) ON (d.day);
