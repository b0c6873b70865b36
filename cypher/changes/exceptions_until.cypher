// The grants of policy exceptions to the changes $ids recorded at or before $until (their audit entries: the
// exceptions as they stood then, a later grant for the same policy replacing the reason), by change, then time.
MATCH (a:AuditEntry)
WHERE a.itemId IN $ids AND a.action = $action AND a.at <= $until
RETURN a.itemId AS change, a.after AS after, a.actorName AS grantedBy, a.at AS at
ORDER BY change, at, a.seq
