// The owning teams of the given items, each with the ids it owns among them.
UNWIND $ids AS id
MATCH (:Item {id: id})-[:OWNED_BY]->(t:Team)
RETURN properties(t) AS team, collect(id) AS owns
