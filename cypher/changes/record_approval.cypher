// The assessment a change was approved on (JSON), kept beside it in the approving transaction: what the board saw,
// for a review that compares it with what happened. Not an item: it is read with the change.
CREATE (:ApprovedAssessment {change: $change, at: $at, data: $data})
