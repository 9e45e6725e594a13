package workflows

import "time"

// Escalation statuses, as the API shows them.
const (
	EscalationOpen         = "open"
	EscalationAcknowledged = "acknowledged"
	EscalationOverdue      = "overdue"
	// EscalationClosed: the invoice was settled before the rep acknowledged.
	EscalationClosed = "closed"
)

// Escalation asks the account's sales rep for help with an invoice.
type Escalation struct {
	ID             string     `json:"id"`
	AccountID      string     `json:"account_id"`
	InvoiceID      string     `json:"invoice_id,omitempty"`
	SalesRep       string     `json:"sales_rep"`
	Status         string     `json:"status"`
	Note           string     `json:"note,omitempty"`
	PauseUntil     string     `json:"pause_until,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	AcknowledgedAt *time.Time `json:"acknowledged_at,omitempty"`
}

// EscalationInput starts an escalation to sales. The invoice's policy
// clock (Issued, IssueDate, Day) comes along so that a pause_until date
// means the same instant to the escalation and to the invoice.
type EscalationInput struct {
	Escalation   Escalation    `json:"escalation"`
	Reason       string        `json:"reason"`
	DaysPastDue  int           `json:"days_past_due"`
	Issued       time.Time     `json:"issued"`
	IssueDate    string        `json:"issue_date"`
	Day          time.Duration `json:"day"`
	AckDays      int           `json:"ack_days"`
	MaxPauseDays int           `json:"max_pause_days"`
}

// EscalationResult is the acknowledged escalation and, when the rep
// paused customer reminders, the instant they may resume.
type EscalationResult struct {
	Escalation Escalation `json:"escalation"`
	PauseUntil time.Time  `json:"pause_until"`
}

// Acknowledgement is the rep's answer to an escalation: the acknowledge
// update's argument.
type Acknowledgement struct {
	Note       string  `json:"note"`
	PauseUntil string  `json:"pause_until,omitempty"`
	By         Decider `json:"by"`
	// Rep is the escalation's rep as the API found it: the account's new
	// rep when it was reassigned since the escalation was opened.
	Rep string `json:"rep,omitempty"`
}

// OpenEscalationInput records an escalation to the account's sales rep.
type OpenEscalationInput struct {
	Escalation Escalation `json:"escalation"`
	Reason     string     `json:"reason"`
}

// EscalationRef names an escalation whose record changes: overdue, or
// closed with its invoice.
type EscalationRef struct {
	EscalationID string `json:"escalation_id"`
}

// AcknowledgeEscalationInput records the rep's acknowledgement.
type AcknowledgeEscalationInput struct {
	EscalationID    string          `json:"escalation_id"`
	Acknowledgement Acknowledgement `json:"acknowledgement"`
	At              time.Time       `json:"at"`
}
