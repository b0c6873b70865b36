// The sources of `n`'s incoming relationships of one type (as items/related_in.cypher), in no particular order:
// db/items.py `_selected` puts them in id order. Sorting a hub's 9,444 dependents here was a fifth of the facilities'
// first page in Neo4j (docs/benchmarks.md). At most $listLimit (the list cap plus one): a list that reaches it is
// refused whole (graphql/compiled.py), so which items a cut list holds never shows.
COLLECT { MATCH (n)<-[r:{{rel}}]-(b:Item) WITH b, r LIMIT $listLimit RETURN {{item}} }
