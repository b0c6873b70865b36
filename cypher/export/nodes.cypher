// Every item of one kind with its properties, in id order.
MATCH (n:{{label}})
RETURN properties(n) AS props
ORDER BY n.id
