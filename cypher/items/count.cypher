// How many items of a kind match the filters (for totalCount). With no filter, Neo4j answers from its count store.
MATCH (n:{{label}})
WHERE {{filters}}
RETURN count(n) AS total
