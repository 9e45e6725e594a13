package workflows

import "time"

// The types below cross the boundaries of ReplyWorkflow and
// ContactMissingWorkflow, and of the invoice updates a reply sends.

// Names of what a customer's reply sends.
const (
	// ReadReplyUpdate tells a ReplyWorkflow that someone in credit read
	// the reply: the customer's reminders resume.
	ReadReplyUpdate = "read"
	// ReplyPauseUpdate pauses an invoice's customer emails for a reply.
	ReplyPauseUpdate = "reply-pause"
	// ReplyReadUpdate ends an invoice's pause for a reply that was read.
	ReplyReadUpdate = "reply-read"
)

// ReplyWorkflowID is the workflow id of a customer's reply.
func ReplyWorkflowID(replyID string) string { return "reply/" + replyID }

// ReplyID is a reply's id, from its Message-ID (or, without one, from
// what it says): SendGrid posting the same message again names the same
// reply and the same workflow.
func ReplyID(messageID string) string { return KeyedID("rpl", messageID) }

// ContactMissingWorkflowID names the request to the rep for an account's
// address that SendGrid could not deliver to: one per account and address.
func ContactMissingWorkflowID(accountID, address string) string {
	return "contact-missing/" + KeyedID("cm", accountID, address)
}

// ReplyInput starts a ReplyWorkflow for a reply already stored.
type ReplyInput struct {
	ReplyID string `json:"reply_id"`
}

// ReplyRef names a stored reply.
type ReplyRef struct {
	ReplyID string `json:"reply_id"`
}

// ReplyOpened is what a reply was matched to. No AccountID: nobody could
// be told; the reply waits for an admin.
type ReplyOpened struct {
	AccountID string `json:"account_id,omitempty"`
	SalesRep  string `json:"sales_rep,omitempty"`
	// PauseDays is the policy's pause for a reply, Day the policy day.
	PauseDays int           `json:"pause_days"`
	Day       time.Duration `json:"day"`
	// Facts fill the rep's email.
	Facts map[string]string `json:"facts,omitempty"`
}

// ReplyPauseInput pauses an account's open invoices for a reply until Until.
type ReplyPauseInput struct {
	ReplyID   string    `json:"reply_id"`
	AccountID string    `json:"account_id"`
	Until     time.Time `json:"until"`
}

// ReplyPause is the invoice update's argument: hold the customer emails
// until Until, or until the reply is read.
type ReplyPause struct {
	ReplyID string    `json:"reply_id"`
	Until   time.Time `json:"until"`
}

// ReplyRead is the invoice update's argument that ends a reply's pause.
type ReplyRead struct {
	ReplyID string `json:"reply_id"`
}

// ReadReply is the ReplyWorkflow's read update: who read it.
type ReadReply struct {
	By string `json:"by"`
}

// ResumeAfterReplyInput ends the pause a reply put on these invoices.
type ResumeAfterReplyInput struct {
	ReplyID  string   `json:"reply_id"`
	Invoices []string `json:"invoices"`
}

// MarkReplyReadInput records who read a reply, and when.
type MarkReplyReadInput struct {
	ReplyID string    `json:"reply_id"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
}

// ReplyResult is how a reply's workflow ended.
type ReplyResult struct {
	AccountID string   `json:"account_id,omitempty"`
	Paused    []string `json:"paused,omitempty"`
	ReadBy    string   `json:"read_by,omitempty"`
}

// ContactMissingInput asks the rep for the right address after SendGrid
// reported a customer email undelivered (bounce or dropped).
type ContactMissingInput struct {
	AccountID string `json:"account_id"`
	InvoiceID string `json:"invoice_id"`
	Address   string `json:"address"`
	Event     string `json:"event"`
	Reason    string `json:"reason,omitempty"`
	EmailKey  string `json:"email_key"`
}
