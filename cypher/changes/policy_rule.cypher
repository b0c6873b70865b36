// A policy's rule type, if $id is a policy (null kind: no item has the id).
OPTIONAL MATCH (n:Item {id: $id})
RETURN n.itemKind AS kind, n.ruleType AS ruleType
