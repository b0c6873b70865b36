// Cost allocation's nodes: live services, CIs and groups with their own monthly cost and name, as one record of
// columns (list i of each is node i: collect keeps the rows' order, and nothing here is null, so none is skipped).
// Columns rather than one list per node: at 1M CIs a million small lists took the driver and the garbage collector
// longer than Neo4j took to read them.
MATCH (n:Item)
WHERE (n:Service OR n:ConfigurationItem OR n:RedundancyGroup) AND (n.status IS NULL OR n.status <> 'RETIRED')
RETURN
  collect(n.id) AS ids,
  collect(coalesce(n.itemKind, '')) AS kinds,
  collect(coalesce(n.monthlyCost, 0)) AS costs,
  collect(coalesce(n.name, n.id)) AS names
