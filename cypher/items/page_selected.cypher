// One page of items of a kind in id order, as items/page.cypher, with how many match in all and, for each item,
// the related items a browse document selects: one statement for a whole page (graphql/compiled.py), where the
// field-by-field path reads the page, the count and each relationship apart. {{relations}} is one list per
// relationship read, each items/selected/related_{out,in}.cypher (at most $listLimit: the list cap plus one, so a
// hub is not read whole to be refused).
CALL () {
  MATCH (n:{{label}})
  WHERE {{filters}}
  RETURN count(n) AS total
}
CALL () {
  MATCH (n:{{label}})
  WHERE {{after}} AND {{filters}}
  WITH n
  ORDER BY n.id
  LIMIT $limit
  RETURN collect([{{node}}, [{{relations}}]]) AS rows
}
RETURN total, rows
