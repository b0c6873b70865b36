// Grant (or re-grant, replacing the reason) change $change an exception from policy $policy; run under the
// change's lock, so one exists per change and policy.
MERGE (x:PolicyException {change: $change, policy: $policy})
SET x.reason = $reason, x.grantedBy = $grantedBy, x.grantedAt = $grantedAt
RETURN x.change AS change, x.policy AS policy, x.reason AS reason, x.grantedBy AS grantedBy, x.grantedAt AS grantedAt
