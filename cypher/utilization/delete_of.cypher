// A deleted CI's readings go with it.
MATCH (d:UtilizationDay {ci: $id})
DELETE d
