package workflows

// HoldChangeInput asks AccountHoldWorkflow, and its ChangeHold activity,
// to put an account on hold by hand or to release its holds. Key names
// the change (from the user and the request's Idempotency-Key): the same
// key changes nothing twice.
type HoldChangeInput struct {
	Key       string `json:"key"`
	AccountID string `json:"account_id"`
	Release   bool   `json:"release,omitempty"`
	By        string `json:"by"`
	Reason    string `json:"reason"`
}

// HoldChanged is what a hold change did: Changed when the account's
// status moved (on hold, or active again), and then Notice, the email
// that tells its sales rep.
type HoldChanged struct {
	Changed bool   `json:"changed"`
	Status  string `json:"status"`
	Notice  *Email `json:"notice,omitempty"`
}

// ContactChangedInput asks ContactChangedWorkflow to send the customer
// emails that did not arrive again, to the account's new billing address.
type ContactChangedInput struct {
	AccountID string `json:"account_id"`
	Address   string `json:"address"`
}
