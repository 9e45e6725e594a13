package workflows

import (
	"time"

	"github.com/creditflow/creditflow/policy"
)

// The types below cross InvoiceWorkflow's boundary. Like the credit
// request's, they are the workflow's own and decode every recorded history.

// Invoice and dispute statuses, as the API shows them.
const (
	InvoiceOpen       = "open"
	InvoicePaid       = "paid"
	InvoiceDisputed   = "disputed"
	InvoiceWrittenOff = "written_off"

	DisputeOpen     = "open"
	DisputeResolved = "resolved"
)

// Invoice is a receivable as its workflow follows it: the input, the
// status query's answer and the result. Dates are YYYY-MM-DD: they are
// calendar dates of the customer's paperwork, not instants.
type Invoice struct {
	ID          string        `json:"id"`
	AccountID   string        `json:"account_id"`
	Number      string        `json:"number"`
	Amount      Money         `json:"amount"`
	Balance     Money         `json:"balance"`
	Status      string        `json:"status"`
	IssueDate   string        `json:"issue_date"`
	DueDate     string        `json:"due_date"`
	DaysOverdue int           `json:"days_overdue"`
	Segment     string        `json:"segment,omitempty"`
	NextStep    *DunningStep  `json:"next_step,omitempty"`
	StepsTaken  []DunningStep `json:"steps_taken,omitempty"`
	CreatedAt   time.Time     `json:"created_at"`
	UpdatedAt   time.Time     `json:"updated_at"`
}

// InvoiceInput starts an invoice's follow-up. CreatedBy is who issued it:
// the workflow's first step writes the invoice's row when the API could
// not (histories from before it carry none).
type InvoiceInput struct {
	Invoice   Invoice `json:"invoice"`
	CreatedBy string  `json:"created_by,omitempty"`
}

// DunningStep is a step of an invoice's follow-up, planned or taken. Day
// is relative to the due date; Action is what the API shows
// (courtesy_notice, reminder, second_reminder, escalate, credit_hold,
// final_notice).
type DunningStep struct {
	Day    int        `json:"day"`
	Action string     `json:"action"`
	At     *time.Time `json:"at,omitempty"`
	Reason string     `json:"reason,omitempty"`
	// Outcome says what a step taken did: "sent to ap@…", "not sent:
	// nothing is owed any more", "account put on hold".
	Outcome string `json:"outcome,omitempty"`
}

// StartDunningInput asks for an invoice's dunning plan. Now is the
// workflow's clock: the activity never reads its own, so a plan depends
// only on what the workflow recorded.
type StartDunningInput struct {
	Invoice   Invoice   `json:"invoice"`
	CreatedBy string    `json:"created_by,omitempty"`
	Now       time.Time `json:"now"`
}

// DunningPlan is how an invoice will be followed up, fixed when its
// workflow starts: a running invoice keeps the segment and the policy it
// started with.
type DunningPlan struct {
	Segment string        `json:"segment"`
	Day     time.Duration `json:"day"`
	// Issued is the instant of policy day 0: the workflow's start minus
	// the invoice's age in policy days.
	Issued time.Time `json:"issued"`
	// DueDay is the due date's policy day (net-30: 30).
	DueDay            int           `json:"due_day"`
	Steps             []PlannedStep `json:"steps"`
	EscalationAckDays int           `json:"escalation_ack_days"`
	MaxPauseDays      int           `json:"max_pause_days"`
	MaxPromiseDays    int           `json:"max_promise_days"`
	// CustomerEmailWindow is the policy's wait for the account's other
	// customer steps of a day (0 in plans made before it was one).
	CustomerEmailWindow time.Duration `json:"customer_email_window,omitempty"`
	// ExposureHold: this invoice pushed the account's exposure over its
	// limit and put it on hold.
	ExposureHold bool `json:"exposure_hold"`
}

// Clock is the plan's policy clock.
func (p DunningPlan) Clock() policy.Clock { return policy.Clock{DayZero: p.Issued, Day: p.Day} }

// DaysPastDue is the invoice's policy day relative to its due date at
// now (negative before it).
func (p DunningPlan) DaysPastDue(now time.Time) int { return p.Clock().DayAt(now) - p.DueDay }

// DunningPlanOf is a policy plan as the workflow carries it.
func DunningPlanOf(p policy.Plan) DunningPlan {
	out := DunningPlan{
		Segment: p.Segment, Day: p.Clock.Day, Issued: p.Clock.DayZero, DueDay: p.DueDay,
		EscalationAckDays: p.EscalationAckDays, MaxPauseDays: p.MaxPauseDays, MaxPromiseDays: p.MaxPromiseDays,
		CustomerEmailWindow: p.CustomerEmailWindow,
	}
	for _, s := range p.Steps {
		out.Steps = append(out.Steps, PlannedStep{Day: s.Day, Action: s.Action, Label: s.Label, At: s.At})
	}
	return out
}

// PlannedStep is a dunning step with the instant it falls due, before any
// pause moves it.
type PlannedStep struct {
	Day    int       `json:"day"`    // relative to the due date
	Action string    `json:"action"` // the policy's action
	Label  string    `json:"label"`  // the API's action: second_reminder, credit_hold…
	At     time.Time `json:"at"`
}

// CustomerFacing reports whether the step writes to the customer.
func (s PlannedStep) CustomerFacing() bool { return policy.IsCustomerFacing(s.Action) }

// StepRecord is a dunning step the workflow took.
type StepRecord struct {
	Key       string      `json:"key"`
	InvoiceID string      `json:"invoice_id"`
	Step      DunningStep `json:"step"`
	// EmailKey is the outbox key of the email a customer step went out
	// in, when it is not the step's own: the account's email of the day.
	EmailKey string `json:"email_key,omitempty"`
}

// HoldRequest puts an account on hold because of an invoice.
type HoldRequest struct {
	Key       string `json:"key"`
	AccountID string `json:"account_id"`
	InvoiceID string `json:"invoice_id"`
	Summary   string `json:"summary"`
}

// Settlement is what a payment, a credit note or a write-off did.
type Settlement struct {
	// Released: this operation lifted the account's last hold.
	Released bool `json:"released"`
}

// Payment is money received against an invoice: the payment update's argument.
type Payment struct {
	ID         string    `json:"id"`
	Amount     Money     `json:"amount"`
	ReceivedAt time.Time `json:"received_at"`
	Reference  string    `json:"reference,omitempty"`
	By         string    `json:"by"`
}

// RecordPaymentInput applies a payment to an invoice.
type RecordPaymentInput struct {
	InvoiceID string  `json:"invoice_id"`
	Payment   Payment `json:"payment"`
}

// Dispute is a customer's objection to an invoice; dunning waits while it
// is open.
type Dispute struct {
	ID         string     `json:"id"`
	InvoiceID  string     `json:"invoice_id"`
	Reason     string     `json:"reason"`
	Department string     `json:"department"`
	OwnerEmail string     `json:"owner_email"`
	Status     string     `json:"status"`
	Resolution string     `json:"resolution,omitempty"`
	CreditNote *Money     `json:"credit_note,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// DisputeInput is the dispute update's argument, and the input of the
// activity that records it: the dispute and who opened it.
type DisputeInput struct {
	Dispute Dispute `json:"dispute"`
	By      string  `json:"by"`
}

// DisputeResolution closes a dispute, optionally with a credit note that
// lowers the invoice's balance: the resolve-dispute update's argument.
type DisputeResolution struct {
	DisputeID  string `json:"dispute_id"`
	Resolution string `json:"resolution"`
	CreditNote *Money `json:"credit_note,omitempty"`
	By         string `json:"by"`
}

// ResolveDisputeInput records a dispute's resolution.
type ResolveDisputeInput struct {
	Resolution DisputeResolution `json:"resolution"`
	At         time.Time         `json:"at"`
}

// PromiseToPay is the customer's word that Amount arrives by PromisedDate:
// the promise update's argument.
type PromiseToPay struct {
	PromisedDate string `json:"promised_date"`
	Amount       Money  `json:"amount"`
	By           string `json:"by"`
}

// RecordPromiseInput keeps a promise to pay.
type RecordPromiseInput struct {
	Key       string       `json:"key"`
	InvoiceID string       `json:"invoice_id"`
	Promise   PromiseToPay `json:"promise"`
}

// SettlePromiseInput marks a promise kept or broken.
type SettlePromiseInput struct {
	Key    string `json:"key"`
	Status string `json:"status"`
}

// WriteOff ends an invoice's follow-up as uncollectable: the write-off
// update's argument.
type WriteOff struct {
	Reason string  `json:"reason,omitempty"`
	By     Decider `json:"by"`
}

// WriteOffInput records a write-off.
type WriteOffInput struct {
	InvoiceID string   `json:"invoice_id"`
	WriteOff  WriteOff `json:"write_off"`
}
