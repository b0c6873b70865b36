MATCH (:Item {id: $from})-[r:DEPENDS_ON]->(:Item {id: $to})
DELETE r
RETURN count(*) AS removed
