package workflows

import "time"

// Complaint is a complaint as ComplaintWorkflow takes it. One about an
// invoice carries the dispute it opened (DisputeID); the invoice's
// workflow told the owner of that one.
type Complaint struct {
	ID         string    `json:"id"`
	AccountID  string    `json:"account_id"`
	Subject    string    `json:"subject"`
	Department string    `json:"department"`
	OwnerEmail string    `json:"owner_email"`
	InvoiceID  string    `json:"invoice_id,omitempty"`
	DisputeID  string    `json:"dispute_id,omitempty"`
	OpenedBy   string    `json:"opened_by"`
	CreatedAt  time.Time `json:"created_at"`
}

// ComplaintOpened is what RecordComplaint did: Notice, when set, is the
// email that tells the complaint's owner.
type ComplaintOpened struct {
	Notice *Email `json:"notice,omitempty"`
}
