// A related item with the relationship's properties (a service's consumers with their shares).
{item: {{item}}, rel: properties(r)}
