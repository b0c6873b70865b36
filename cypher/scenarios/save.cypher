// A saved what-if scenario (not an item of the CMDB): created, or its name, description and edits replaced.
MERGE (s:Scenario {id: $id})
  ON CREATE SET s.createdAt = datetime(), s.createdBy = $by, s.version = 0
SET s.name = $name, s.description = $description, s.edits = $edits, s.updatedAt = datetime(), s.updatedBy = $by,
    s.version = s.version + 1
RETURN properties(s) AS props
