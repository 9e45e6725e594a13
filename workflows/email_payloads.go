package workflows

// Audiences an email can be addressed to instead of a person.
const (
	AudienceCreditTeam     = "credit_team"     // CREDITFLOW_CREDIT_TEAM, else every credit analyst
	AudienceCreditManagers = "credit_managers" // every credit manager
	// AudienceSalesRep is the sales rep of the email's account_id when it
	// goes out (a periodic review has no rep who asked).
	AudienceSalesRep = "sales_rep"
)

// Email asks SendEmail for one email. Key is the outbox key (workflow id +
// step): the same key never sends twice.
type Email struct {
	Key      string            `json:"key"`
	Kind     string            `json:"kind"`
	To       []string          `json:"to,omitempty"`
	Audience string            `json:"audience,omitempty"`
	Facts    map[string]string `json:"facts"`
	// IDs the email concerns, for SendGrid's custom_args:
	// request_id, invoice_id, account_id, escalation_id.
	IDs map[string]string `json:"ids"`
	// InvoiceIDs are the invoices a customer's email of the day lists,
	// kept with the outbox row (not in custom_args: SendGrid bounds them).
	InvoiceIDs []string `json:"invoice_ids,omitempty"`
}

// Outcomes of an email, as SentEmail reports them.
const (
	EmailSent    = "sent"
	EmailLogged  = "logged"  // no SendGrid key: written to the outbox only
	EmailSkipped = "skipped" // a customer email when nothing is owed any more
)

// SentEmail says what became of an email.
type SentEmail struct {
	Status string   `json:"status"`
	To     []string `json:"to"`
}

// InvoiceEmail asks SendInvoiceEmail for an email about an invoice or an
// escalation; the activity reads the account and the invoice and composes
// the facts, so that the email shows the balance as it is when it goes out.
type InvoiceEmail struct {
	Key          string `json:"key"`
	Kind         string `json:"kind"`
	InvoiceID    string `json:"invoice_id"`
	EscalationID string `json:"escalation_id,omitempty"`
	// DaysPastDue is the invoice's policy day relative to its due date.
	DaysPastDue int `json:"days_past_due"`
	// To overrides the recipients (a dispute's owner).
	To []string `json:"to,omitempty"`
	// Reason says why, for the rep and the managers.
	Reason string `json:"reason,omitempty"`
}
