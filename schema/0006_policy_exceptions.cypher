// Policy exceptions: a CAB's approval for one change to go ahead despite one policy it violates (not an item of
// the exchange format; read with the change's assessment).
CREATE INDEX policy_exception_change IF NOT EXISTS FOR (x:PolicyException) ON (x.change);
