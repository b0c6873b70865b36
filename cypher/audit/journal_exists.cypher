// Whether the estate's journal has begun (a graphsvc write that records states, or a baseline, starts it).
OPTIONAL MATCH (j:Journal {id: 'journal'})
RETURN j IS NOT NULL AS journal
