// The journal's last position: what says whether a kept estate of now is current.
OPTIONAL MATCH (j:Journal {id: 'journal'})
RETURN j.pos AS pos
