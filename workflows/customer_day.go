package workflows

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
)

// CustomerDayWorkflow sends an account's customer emails of one day as
// one: every invoice whose courtesy notice, reminder or final notice
// falls on that date hands its step here (JoinCustomerDay, a signal with
// start), and once the steps stop arriving (a window that brings none,
// policy.CustomerEmailWindow) the customer receives one email
// listing each invoice still owed, with its number, balance, due date and
// days overdue. An invoice paid before the email goes drops out of it.
// Each invoice's step is recorded with the email it went out in.
//
// A step that arrives after the day's email went (a worker far behind)
// goes out in a second email rather than waiting for tomorrow. Nothing is
// sent twice: an email's outbox key names the steps it carries, so a
// retried or replayed send, or a step handed over twice, finds the email
// already sent.
func CustomerDayWorkflow(ctx workflow.Context, in CustomerDayInput) error {
	ctx = withActivityOptions(ctx)
	d := &customerDay{CustomerDayInput: in, seen: map[string]bool{}}
	steps := workflow.GetSignalChannel(ctx, CustomerStepSignal)
	for {
		d.receive(steps)
		if err := d.gather(ctx, steps); err != nil {
			return err
		}
		if len(d.waiting) > 0 {
			d.send(ctx)
		}
		// A latecomer starts another round; none within a window, the
		// day's email is done. (A step handed over later starts a new run
		// of this workflow.)
		if ok, err := workflow.AwaitWithTimeout(ctx, in.Window, func() bool { return steps.Len() > 0 }); err != nil || !ok {
			if d.receive(steps); len(d.waiting) == 0 {
				return err
			}
		}
	}
}

// gatherWindows bounds how long a day's email waits for its steps: six
// windows (an hour of a real day).
const gatherWindows = 6

// gather waits a window at a time while the day's steps keep arriving:
// the steps of a day fall together, but an import of thousands of
// invoices, or a worker catching up, hands them over for longer than one
// window. A window that brings none, or the bound, ends the wait.
func (d *customerDay) gather(ctx workflow.Context, steps workflow.ReceiveChannel) error {
	deadline := workflow.Now(ctx).Add(gatherWindows * d.Window)
	for {
		if err := workflow.Sleep(ctx, d.Window); err != nil {
			return err
		}
		if d.receive(steps) == 0 || !workflow.Now(ctx).Before(deadline) {
			return nil
		}
	}
}

type customerDay struct {
	CustomerDayInput
	seen    map[string]bool // steps handed over: a retried hand-over counts once
	waiting []CustomerStep
}

// receive takes the steps that have arrived and counts the new ones.
func (d *customerDay) receive(steps workflow.ReceiveChannel) int {
	n := 0
	for {
		// A fresh value each time: decoding into the last one would keep
		// its At pointer (and what the new step leaves out).
		var s CustomerStep
		if !steps.ReceiveAsync(&s) {
			return n
		}
		if !d.seen[s.Key] {
			d.seen[s.Key] = true
			d.waiting = append(d.waiting, s)
			n++
		}
	}
}

// maxStepsPerEmail bounds the steps one email carries, so that what
// crosses the workflow's boundary stays far below Temporal's 2 MB a
// payload: an account with more invoices in a day (an ERP's backlog
// imported at once) receives one email per thousand. (An email lists its
// first hundred invoices one by one and counts the rest.)
const maxStepsPerEmail = 1000

// send sends the waiting steps, a thousand at most to an email.
func (d *customerDay) send(ctx workflow.Context) {
	steps := d.waiting
	d.waiting = nil
	for chunk := range slices.Chunk(steps, maxStepsPerEmail) {
		d.sendOne(ctx, chunk)
	}
}

// sendOne sends one email with the steps' invoices that are still owed
// and records every step with what became of it.
func (d *customerDay) sendOne(ctx workflow.Context, steps []CustomerStep) {
	key := d.emailKey(steps)

	var draft CustomerEmailDraft
	compose := ComposeCustomerEmailInput{AccountID: d.AccountID, Steps: steps}
	if err := workflow.ExecuteActivity(ctx, ComposeCustomerEmailActivity, compose).Get(ctx, &draft); err != nil {
		workflow.GetLogger(ctx).Error("customer email not composed", "key", key, "error", err)
		d.record(ctx, steps, "", nil, "not sent: "+err.Error())
		return
	}
	dropped := map[string]string{}
	for _, x := range draft.Dropped {
		dropped[x.InvoiceID] = x.Why
	}
	if len(draft.Owed) == 0 {
		d.record(ctx, steps, "", dropped, "")
		return
	}

	m := CustomerEmail{Key: key, AccountID: d.AccountID, Kind: mostPressing(steps, dropped), Invoices: draft.Owed}
	var sent SentEmail
	err := workflow.ExecuteActivity(ctx, SendCustomerEmailActivity, m).Get(ctx, &sent)
	var appErr *temporal.ApplicationError
	var outcome string
	switch {
	case errors.As(err, &appErr) && appErr.Type() == ErrTypeEmailRejected:
		outcome = "not delivered: the billing address was refused; the sales rep was asked for the right contact"
	case err != nil:
		workflow.GetLogger(ctx).Error("customer email not sent", "key", key, "error", err)
		outcome = "not sent"
	case sent.Status == EmailLogged:
		outcome = "written to the outbox for " + strings.Join(sent.To, ", ") + ", not sent: SENDGRID_API_KEY is unset"
	default:
		outcome = "sent to " + strings.Join(sent.To, ", ")
	}
	if n := len(draft.Owed); n > 1 && err == nil {
		outcome += fmt.Sprintf(", in one email with the account's %d invoices of the day", n)
	}
	d.record(ctx, steps, key, dropped, outcome)

	// An address refused for good is missing contact data: the rep is
	// asked for the right one, once for the email.
	if appErr != nil && appErr.Type() == ErrTypeEmailRejected {
		ask := InvoiceEmail{Key: key + "/contact-missing", Kind: email.KindContactMissing,
			InvoiceID: draft.Owed[0].InvoiceID, Reason: appErr.Message()}
		if err := workflow.ExecuteActivity(ctx, SendInvoiceEmailActivity, ask).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("contact_missing not sent", "key", key, "error", err)
		}
	}
}

// record keeps each step with what became of it: the invoices dropped
// since their step were not in the email; the others went out in it
// (emailKey, "" when no email went).
func (d *customerDay) record(ctx workflow.Context, steps []CustomerStep, emailKey string, dropped map[string]string, outcome string) {
	in := RecordStepsInput{}
	for _, s := range steps {
		r := StepRecord{Key: s.Key, InvoiceID: s.InvoiceID, Step: s.Step}
		if why, ok := dropped[s.InvoiceID]; ok {
			r.Step.Outcome = "not sent: " + why
		} else {
			r.Step.Outcome, r.EmailKey = outcome, emailKey
		}
		in.Steps = append(in.Steps, r)
	}
	if err := workflow.ExecuteActivity(ctx, RecordDunningStepsActivity, in).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("customer steps not recorded", "email", emailKey, "error", err)
	}
}

// emailKey names a round's email by the day and the steps it carries:
// the same steps name the same email, in any run of this workflow.
func (d *customerDay) emailKey(steps []CustomerStep) string {
	keys := make([]string, len(steps))
	for k, s := range steps {
		keys[k] = s.Key
	}
	slices.Sort(keys)
	sum := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	return CustomerDayWorkflowID(d.AccountID, d.Date) + "/" + hex.EncodeToString(sum[:6])
}

// mostPressing is the kind of a day's email: a final notice outweighs a
// reminder, which outweighs a courtesy notice.
func mostPressing(steps []CustomerStep, dropped map[string]string) string {
	rank := map[string]int{email.KindCourtesyNotice: 1, email.KindInvoiceReminder: 2, email.KindFinalNotice: 3}
	kind := email.KindCourtesyNotice
	for _, s := range steps {
		if _, out := dropped[s.InvoiceID]; !out && rank[s.Kind] > rank[kind] {
			kind = s.Kind
		}
	}
	return kind
}
