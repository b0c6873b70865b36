// Drop the outgoing relationships of one type that changed items own; they are written anew.
UNWIND $ids AS id
MATCH (:Item {id: id})-[r:{{rel}}]->()
DELETE r
