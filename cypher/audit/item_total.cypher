// How many items the database holds (from the count store): what the estate replayed from the journal must match.
MATCH (n:Item)
RETURN count(n) AS items
