// What is stored of each given id, as the exporter sees it: its properties and every outgoing relationship (type,
// target id and properties), to tell whether a document describes it exactly as it is.
UNWIND $ids AS id
MATCH (n:Item {id: id})
RETURN n.id AS id, n.itemKind AS kind, properties(n) AS props,
       [(n)-[r]->(m:Item) | {type: type(r), to: m.id, props: properties(r)}] AS rels
