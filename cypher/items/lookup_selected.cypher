// Items by id, each with the related items a document selects (graphql/compiled.py): items/lookup.cypher with the
// lists of items/page_selected.cypher. Unknown ids are left out.
UNWIND $ids AS id
MATCH (n:Item {id: id})
RETURN collect([{{node}}, [{{relations}}]]) AS rows
