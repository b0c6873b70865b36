// CIs whose `hostname` attribute may be one of $hosts (lower case, as JSON writes them). Attributes are one JSON text
// (written sorted and compact: "hostname":"web-01"), so the value is cut out of the text; the caller checks each
// candidate against the parsed attributes. One pass over the CIs for all hosts of a notification: no index can
// serve it (a TEXT index refuses values over 32 KB, and attributes may be longer).
MATCH (n:ConfigurationItem)
WHERE n.attributes CONTAINS '"hostname":"'
WITH n, toLower(split(split(n.attributes, '"hostname":"')[1], '"')[0]) AS host
WHERE host IN $hosts
RETURN n.id AS id, n.status AS status, n.attributes AS attributes
