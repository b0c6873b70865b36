MATCH (n:Item)
RETURN count(n) AS items
