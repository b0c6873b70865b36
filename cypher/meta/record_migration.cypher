MERGE (m:SchemaMigration {version: $version})
SET m.name = $name, m.appliedAt = datetime()
