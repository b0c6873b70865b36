// The policy exceptions granted to the changes $ids, by change, then policy.
MATCH (x:PolicyException) WHERE x.change IN $ids
RETURN x.change AS change, x.policy AS policy, x.reason AS reason, x.grantedBy AS grantedBy, x.grantedAt AS grantedAt
ORDER BY change, policy
