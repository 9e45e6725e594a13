// Package workflows holds Creditflow's deterministic workflow code: no I/O,
// no wall clock, no randomness and no map iteration for output. Everything
// that touches the world is an activity.
package workflows

import (
	"crypto/sha256"
	"encoding/base32"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// Names the API and the worker share.
const (
	DefaultTaskQueue = "creditflow"

	// DecisionUpdate carries a credit analyst's decision.
	DecisionUpdate = "decide"
	// WithdrawUpdate carries the sales rep's withdrawal of a request.
	WithdrawUpdate = "withdraw"
	// StatusQuery answers the request as the workflow sees it.
	StatusQuery = "status"

	// PaymentUpdate records a payment on an invoice.
	PaymentUpdate = "payment"
	// DisputeUpdate opens a dispute on an invoice.
	DisputeUpdate = "dispute"
	// ResolveDisputeUpdate resolves an invoice's open dispute.
	ResolveDisputeUpdate = "resolve-dispute"
	// PromiseUpdate records a promise to pay.
	PromiseUpdate = "promise"
	// WriteOffUpdate writes an invoice off.
	WriteOffUpdate = "write-off"
	// AcknowledgeUpdate carries the sales rep's acknowledgement of an escalation.
	AcknowledgeUpdate = "acknowledge"
)

// CreditRequestWorkflowID is the workflow id of a credit request.
func CreditRequestWorkflowID(requestID string) string { return "credit-request/" + requestID }

// InvoiceID is an invoice's id, from its business key: the account and
// the invoice's number, which is unique per account. Sent twice, the same
// invoice names the same workflow, which Temporal does not start twice.
// (Invoices created before ids were derived keep their random ids.)
func InvoiceID(accountID, number string) string { return KeyedID("inv", accountID, number) }

// KeyedID is an id derived from the business key parts: the same parts
// name the same thing, whichever process derives it.
func KeyedID(prefix string, parts ...string) string {
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return prefix + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:16]))
}

// InvoiceWorkflowID is the workflow id of an invoice's follow-up.
func InvoiceWorkflowID(invoiceID string) string { return "invoice/" + invoiceID }

// EscalationWorkflowID is the workflow id of an escalation to sales.
func EscalationWorkflowID(escalationID string) string { return "escalation/" + escalationID }

// Workflows that schedules start, by the names they are registered under.
const (
	DigestWorkflowName         = "DigestWorkflow"
	PeriodicReviewWorkflowName = "PeriodicReviewWorkflow"
	// CustomerDayWorkflowName is started by an activity (JoinCustomerDay).
	CustomerDayWorkflowName = "CustomerDayWorkflow"
)

// DigestScheduleWorkflowID is the id of the digests the schedule starts;
// Temporal appends the moment each was due.
const DigestScheduleWorkflowID = "weekly-digest"

// ManualDigestWorkflowID is the id of a digest run now (POST
// /digests/run). Its emails are keyed by the week, not by this id, so a
// second run in the same week mails nobody twice.
func ManualDigestWorkflowID(unique string) string { return "weekly-digest/manual/" + unique }

// withActivityOptions sets the options every Creditflow activity shares:
// short attempts, retried with backoff for as long as the business waits.
func withActivityOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 30 * time.Second,
		RetryPolicy:         retryPolicy,
	})
}

var retryPolicy = &temporal.RetryPolicy{
	InitialInterval:    time.Second,
	BackoffCoefficient: 2,
	MaximumInterval:    time.Minute,
}

// background runs emails beside a workflow's main line, so that one that
// waits on SendGrid (retried for as long as it is down) never holds up a
// decision or the answer to an update. idle tells the workflow it may end.
type background struct{ running int }

func (b *background) Go(ctx workflow.Context, fn func(workflow.Context)) {
	b.running++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { b.running-- }()
		fn(ctx)
	})
}

func (b *background) idle() bool { return b.running == 0 }

// Registration names a workflow function for the worker and the replayer.
type Registration struct {
	Name string
	Func any
}

// All lists every workflow Creditflow runs, under stable names: renaming a
// Go function must not orphan running workflows.
func All() []Registration {
	return []Registration{
		{Name: "CreditRequestWorkflow", Func: CreditRequestWorkflow},
		{Name: "InvoiceWorkflow", Func: InvoiceWorkflow},
		{Name: "EscalationWorkflow", Func: EscalationWorkflow},
		{Name: PeriodicReviewWorkflowName, Func: PeriodicReviewWorkflow},
		{Name: "ReplyWorkflow", Func: ReplyWorkflow},
		{Name: "ContactMissingWorkflow", Func: ContactMissingWorkflow},
		{Name: "SignInEmailWorkflow", Func: SignInEmailWorkflow},
		{Name: DigestWorkflowName, Func: DigestWorkflow},
		{Name: "AccountHoldWorkflow", Func: AccountHoldWorkflow},
		{Name: "ContactChangedWorkflow", Func: ContactChangedWorkflow},
		{Name: "ComplaintWorkflow", Func: ComplaintWorkflow},
		{Name: CustomerDayWorkflowName, Func: CustomerDayWorkflow},
	}
}
