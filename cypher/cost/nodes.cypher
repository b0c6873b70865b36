// Cost allocation's nodes: live services, CIs and groups with their own monthly cost, as one record of lists.
MATCH (n:Item)
WHERE (n:Service OR n:ConfigurationItem OR n:RedundancyGroup) AND (n.status IS NULL OR n.status <> 'RETIRED')
RETURN collect([n.id, n.itemKind, n.monthlyCost, coalesce(n.name, n.id)]) AS nodes
