// A related item as a light read carries it (items/related_out_light.cypher): what `id`, `name`, `itemKind` need.
{id: b.id, itemKind: b.itemKind, name: b.name, title: b.title}
