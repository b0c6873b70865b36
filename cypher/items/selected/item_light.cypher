// A related item as a light read carries it (items/related_out_light.cypher): what `id`, `name`, `itemKind` need.
b {.id, .itemKind, .name, .title}
