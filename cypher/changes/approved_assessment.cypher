// The assessment each change was last approved on (at or before $until, unless it is null), for those approved.
UNWIND $changes AS change
CALL (change) {
  MATCH (a:ApprovedAssessment {change: change})
  WHERE $until IS NULL OR a.at <= $until
  RETURN a ORDER BY a.at DESC LIMIT 1
}
RETURN change, a.data AS data
