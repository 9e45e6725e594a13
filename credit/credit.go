// Package credit holds Creditflow's business records as the store keeps
// them and the API shows them: accounts, credit requests, invoices and
// what happened to them. Workflows carry payload types of their own
// (package workflows), so that a change here never breaks the decoding of
// a running workflow's history.
package credit

import (
	"time"

	"github.com/creditflow/creditflow/money"
)

// Roles.
const (
	RoleSales         = "sales"
	RoleCredit        = "credit"
	RoleCreditManager = "credit_manager"
	RoleAdmin         = "admin"
)

// Roles lists every role, for validation and help texts.
var Roles = []string{RoleSales, RoleCredit, RoleCreditManager, RoleAdmin}

// User is someone who calls the API.
type User struct {
	ID           string `json:"id"`
	Email        string `json:"email"`
	Name         string `json:"name"`
	Role         string `json:"role"`
	ManagerEmail string `json:"manager_email,omitempty"`
	// ApprovalLimit in whole units of the request's currency, for the
	// credit role; nil means no limit.
	ApprovalLimit *int64 `json:"approval_limit,omitempty"`
	// DisabledAt is when the user was disabled: they no longer
	// authenticate, but what they did still names them. Nil: active.
	DisabledAt *time.Time `json:"disabled_at,omitempty"`
}

// Credit request kinds.
const (
	KindPreApproval   = "pre_approval"
	KindLimitIncrease = "limit_increase"
	// KindPeriodicReview is started by the review schedule, not by a rep.
	KindPeriodicReview = "periodic_review"
)

// Credit request statuses.
const (
	StatusScoring                = "scoring"
	StatusPendingReview          = "pending_review"
	StatusApproved               = "approved"
	StatusApprovedWithConditions = "approved_with_conditions"
	StatusDeclined               = "declined"
	StatusExpired                = "expired"
	StatusWithdrawn              = "withdrawn"
	// StatusHeld: a periodic review put the account on hold.
	StatusHeld = "held"
	// StatusLapsed: an approval whose conditions were not met in time.
	StatusLapsed = "lapsed"
)

// Decision outcomes.
const (
	OutcomeApprove               = "approve"
	OutcomeApproveWithConditions = "approve_with_conditions"
	OutcomeDecline               = "decline"
	// OutcomeHold ends a periodic review with a credit hold.
	OutcomeHold = "hold"
)

// Conditions an approval may carry.
var Conditions = []string{ConditionLetterOfCredit, ConditionPersonalGuarantee, ConditionDeposit, ConditionShorterTerms}

// Prospect is the company a pre-approval is asked for.
type Prospect struct {
	Name               string      `json:"name"`
	RegistrationNumber string      `json:"registration_number"`
	Country            string      `json:"country"`
	BillingEmail       string      `json:"billing_email"`
	AnnualRevenue      money.Money `json:"annual_revenue"`
	YearsInBusiness    int         `json:"years_in_business"`
	TradeReferences    int         `json:"trade_references"`
	TimeZone           string      `json:"time_zone,omitempty"`
}

// CreditRequest is a pre-approval or a credit-limit increase.
type CreditRequest struct {
	ID               string       `json:"id"`
	Kind             string       `json:"kind"`
	Status           string       `json:"status"`
	AccountID        string       `json:"account_id"`
	Prospect         *Prospect    `json:"prospect,omitempty"`
	RequestedLimit   money.Money  `json:"requested_limit"`
	Reason           string       `json:"reason,omitempty"`
	Score            *int         `json:"score,omitempty"`
	Band             string       `json:"band,omitempty"`
	Reasons          []string     `json:"reasons"`
	RecommendedLimit *money.Money `json:"recommended_limit,omitempty"`
	Decision         *Decision    `json:"decision,omitempty"`
	CreatedBy        string       `json:"created_by"`
	CreatedAt        time.Time    `json:"created_at"`
	UpdatedAt        time.Time    `json:"updated_at"`
	DecidedAt        *time.Time   `json:"decided_at,omitempty"`
	// Campaign names the sales campaign a limit increase was filed in.
	Campaign string `json:"campaign,omitempty"`
}

// Decision is what was decided about a credit request, by a person or by
// the scorecard ("creditflow").
type Decision struct {
	Outcome       string       `json:"outcome"`
	ApprovedLimit *money.Money `json:"approved_limit,omitempty"`
	Conditions    []Condition  `json:"conditions,omitempty"`
	Reason        string       `json:"reason,omitempty"`
	DecidedBy     string       `json:"decided_by"`
	DecidedAt     time.Time    `json:"decided_at"`
	Automatic     bool         `json:"automatic"`
	// ReviewOutcome is, for a periodic review, what the decision did to
	// the limit: keep, lower, raise (an approve) or hold.
	ReviewOutcome string `json:"review_outcome,omitempty"`
}

// Status is the request status a decision outcome leads to.
func (d Decision) Status() string {
	switch d.Outcome {
	case OutcomeApprove:
		return StatusApproved
	case OutcomeApproveWithConditions:
		return StatusApprovedWithConditions
	case OutcomeHold:
		return StatusHeld
	default:
		return StatusDeclined
	}
}

// Decider is who sends a decision or a withdrawal, as the API
// authenticated them; the workflow re-checks their rights.
type Decider struct {
	UserID        string `json:"user_id"`
	Email         string `json:"email"`
	Role          string `json:"role"`
	ApprovalLimit *int64 `json:"approval_limit,omitempty"`
}

// Account statuses.
const (
	AccountProspect = "prospect"
	AccountActive   = "active"
	AccountOnHold   = "on_hold"
	AccountClosed   = "closed"
)

// Account is a customer or a prospect.
type Account struct {
	ID                 string      `json:"id"`
	Name               string      `json:"name"`
	RegistrationNumber string      `json:"registration_number,omitempty"`
	Country            string      `json:"country,omitempty"`
	BillingEmail       string      `json:"billing_email"`
	Status             string      `json:"status"`
	CreditLimit        money.Money `json:"credit_limit"`
	Exposure           money.Money `json:"exposure"`
	AvailableCredit    money.Money `json:"available_credit"`
	Segment            string      `json:"segment"`
	SalesRep           string      `json:"sales_rep"`
	TimeZone           string      `json:"time_zone"`
	// PaymentTermsDays is the account's own terms (a shorter_terms
	// condition sets them): the due date of invoices given none.
	PaymentTermsDays *int        `json:"payment_terms_days,omitempty"`
	AnnualRevenue    money.Money `json:"annual_revenue"`
	YearsInBusiness  int         `json:"years_in_business"`
	TradeReferences  int         `json:"trade_references"`
	CreatedAt        time.Time   `json:"created_at"`
	UpdatedAt        time.Time   `json:"updated_at"`
	// Band is the band of the account's last scored request; NextReviewOn
	// is the date its periodic credit review falls due (customers only).
	Band         string `json:"band,omitempty"`
	NextReviewOn string `json:"next_review_on,omitempty"`
	// OpenInvoices are shown with one account, not in lists: the unpaid
	// ones, oldest due first.
	OpenInvoices []Invoice `json:"open_invoices,omitempty"`
	// Holds are the account's unreleased credit holds, shown with one
	// account.
	Holds []Hold `json:"holds,omitempty"`
	// PendingConditions are what its approvals still wait for, shown with
	// one account: no order ships until credit has them.
	PendingConditions []Condition `json:"pending_conditions,omitempty"`
	// Complaints are its open complaints, shown with one account.
	Complaints []Complaint `json:"complaints,omitempty"`
}

// Hold is a credit hold on an account: its cause (an invoice past its
// hold step, exposure over the limit, a periodic review, or a person in
// credit: "manual"), who placed it and why.
type Hold struct {
	Cause     string    `json:"cause"`
	Reason    string    `json:"reason"`
	InvoiceID string    `json:"invoice_id,omitempty"`
	PlacedBy  string    `json:"placed_by"`
	PlacedAt  time.Time `json:"placed_at"`
}

// TimelineEntry is one thing that happened to an account.
type TimelineEntry struct {
	At      time.Time `json:"at"`
	Kind    string    `json:"kind"`
	Summary string    `json:"summary"`
	Actor   string    `json:"actor"`
	Ref     string    `json:"ref,omitempty"`
}

// Invoice statuses.
const (
	InvoiceOpen       = "open"
	InvoicePaid       = "paid"
	InvoiceDisputed   = "disputed"
	InvoiceWrittenOff = "written_off"
)

// Departments a note or a dispute belongs to.
var Departments = []string{"sales", "credit", "billing", "logistics", "product", "marketing", "other"}

// Invoice is a receivable followed by InvoiceWorkflow. Dates are
// YYYY-MM-DD strings: they are calendar dates of the customer's paperwork,
// not instants, and they cross the workflow boundary unchanged.
type Invoice struct {
	ID          string        `json:"id"`
	AccountID   string        `json:"account_id"`
	Number      string        `json:"number"`
	Amount      money.Money   `json:"amount"`
	Balance     money.Money   `json:"balance"`
	Status      string        `json:"status"`
	IssueDate   string        `json:"issue_date"`
	DueDate     string        `json:"due_date"`
	DaysOverdue int           `json:"days_overdue"`
	Segment     string        `json:"segment,omitempty"`
	NextStep    *DunningStep  `json:"next_step,omitempty"`
	StepsTaken  []DunningStep `json:"steps_taken,omitempty"`
	// Payments, Disputes and Promises are shown with one invoice, oldest
	// first.
	Payments []Payment         `json:"payments,omitempty"`
	Disputes []Dispute         `json:"disputes,omitempty"`
	Promises []RecordedPromise `json:"promises,omitempty"`
	// CreatedBy is stored with the invoice; the API does not show it.
	CreatedBy string `json:"-"`
	// DayZero is the instant of the invoice's policy day 0, set when its
	// follow-up is planned; the API does not show it.
	DayZero   *time.Time `json:"-"`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
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
	// nothing is owed any more", "account put on hold", "not delivered:
	// bounced (…)".
	Outcome string `json:"outcome,omitempty"`
	// Delivery is what SendGrid reported of the step's email (delivered,
	// bounce, dropped, open…), when it did.
	Delivery string `json:"delivery,omitempty"`
}

// Payment is money received against an invoice.
type Payment struct {
	ID         string      `json:"id"`
	Amount     money.Money `json:"amount"`
	ReceivedAt time.Time   `json:"received_at"`
	Reference  string      `json:"reference,omitempty"`
	By         string      `json:"by"`
}

// Dispute statuses.
const (
	DisputeOpen     = "open"
	DisputeResolved = "resolved"
)

// Dispute is a customer's objection to an invoice; dunning waits while it
// is open.
type Dispute struct {
	ID         string       `json:"id"`
	InvoiceID  string       `json:"invoice_id"`
	Reason     string       `json:"reason"`
	Department string       `json:"department"`
	OwnerEmail string       `json:"owner_email"`
	Status     string       `json:"status"`
	Resolution string       `json:"resolution,omitempty"`
	CreditNote *money.Money `json:"credit_note,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	ResolvedAt *time.Time   `json:"resolved_at,omitempty"`
}

// DisputeResolution closes a dispute, optionally with a credit note that
// lowers the invoice's balance.
type DisputeResolution struct {
	DisputeID  string       `json:"dispute_id"`
	Resolution string       `json:"resolution"`
	CreditNote *money.Money `json:"credit_note,omitempty"`
	By         string       `json:"by"`
}

// PromiseToPay is the customer's word that Amount arrives by PromisedDate;
// reminders wait until then.
type PromiseToPay struct {
	PromisedDate string      `json:"promised_date"`
	Amount       money.Money `json:"amount"`
	By           string      `json:"by"`
}

// RecordedPromise is a promise to pay as its invoice keeps it: open until
// the promised day ends, then kept or broken.
type RecordedPromise struct {
	PromisedDate string      `json:"promised_date"`
	Amount       money.Money `json:"amount"`
	By           string      `json:"by"`
	Status       string      `json:"status"`
	CreatedAt    time.Time   `json:"created_at"`
}

// WriteOff ends an invoice's follow-up as uncollectable.
type WriteOff struct {
	Reason string  `json:"reason,omitempty"`
	By     Decider `json:"by"`
}

// Escalation statuses.
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

// Acknowledgement is the rep's answer to an escalation.
type Acknowledgement struct {
	Note       string  `json:"note"`
	PauseUntil string  `json:"pause_until,omitempty"`
	By         Decider `json:"by"`
}

// Note is something a colleague wrote about an account.
type Note struct {
	ID         string    `json:"id"`
	AccountID  string    `json:"account_id"`
	Body       string    `json:"body"`
	Department string    `json:"department"`
	Author     string    `json:"author"`
	CreatedAt  time.Time `json:"created_at"`
}

// CreditCheck answers whether an order may ship.
type CreditCheck struct {
	Approved        bool        `json:"approved"`
	AvailableCredit money.Money `json:"available_credit"`
	Reason          string      `json:"reason"`
}

// Complaint is a customer's complaint, logged on its account with the
// department that owns it and a person who answers for it. One about an
// invoice is that invoice's dispute (DisputeID): it pauses the invoice's
// follow-up until it is resolved.
type Complaint struct {
	ID         string     `json:"id"`
	AccountID  string     `json:"account_id"`
	Subject    string     `json:"subject"`
	Department string     `json:"department"`
	OwnerEmail string     `json:"owner_email"`
	InvoiceID  string     `json:"invoice_id,omitempty"`
	DisputeID  string     `json:"dispute_id,omitempty"`
	Status     string     `json:"status"`
	Resolution string     `json:"resolution,omitempty"`
	OpenedBy   string     `json:"opened_by"`
	ResolvedBy string     `json:"resolved_by,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	ResolvedAt *time.Time `json:"resolved_at,omitempty"`
}

// Complaint statuses.
const (
	ComplaintOpen     = "open"
	ComplaintResolved = "resolved"
)
