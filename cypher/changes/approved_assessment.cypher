// The assessment each change was last approved on, for those that were approved.
UNWIND $changes AS change
CALL (change) {
  MATCH (a:ApprovedAssessment {change: change})
  RETURN a ORDER BY a.at DESC LIMIT 1
}
RETURN change, a.data AS data
