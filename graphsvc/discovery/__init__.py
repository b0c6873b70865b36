"""Discovery: what a source (Kubernetes manifests, a tracing system, a spreadsheet) says exists, read into an
`Observation` (model.py) by one reader per source, then reconciled with the CMDB in one audited write (SEMANTICS.md,
"Discovery"; docs/discovery.md)."""
