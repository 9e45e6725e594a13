package workflows

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
)

// InvoiceWorkflow follows one invoice from issue until it is paid or
// written off: plan the dunning steps of the account's payment segment,
// catch up if the invoice was imported late, then take each step as it
// falls due (remind the customer, escalate to the sales rep, put the
// account on hold), while payments, disputes, promises to pay and the
// rep's pauses move or end the follow-up.
//
// Pauses move steps, they never drop or repeat them: a step falls due
// when the invoice has spent its planned time unpaused. Disputes and
// promises pause every step; a sales rep's pause holds the customer
// emails only. Pauses move steps by whole policy days, so that a
// customer email planned for 09:00 still goes out at 09:00.
func InvoiceWorkflow(ctx workflow.Context, in InvoiceInput) (Invoice, error) {
	inv := &invoice{Invoice: in.Invoice, createdBy: in.CreatedBy, activities: newActivityVersion(ctx)}
	if err := inv.registerHandlers(ctx); err != nil {
		return in.Invoice, err
	}
	return inv.run(withActivityOptions(ctx))
}

// invoice is the workflow's state.
type invoice struct {
	Invoice
	createdBy  string
	activities activityVersion
	plan       DunningPlan
	started    bool // the plan is known; handlers may act
	steps      []*step
	taken      []DunningStep
	pauses     []pause

	dispute     *Dispute
	promise     *promise
	promises    int
	escalations int
	// escalationOpen: an escalation waits for the rep's acknowledgement;
	// a broken promise does not ask them twice.
	escalationOpen  bool
	escalated, held bool
	closed          bool // paid or written off
	changes         int  // bumped by every handler, to wake the main loop
	emails          background
}

type step struct {
	PlannedStep
	done bool
}

// pause is a stretch of time during which steps do not fall due. Until
// zero: open until resumed (a dispute).
type pause struct {
	From, Until  time.Time
	CustomerOnly bool
	Why          string
	reply        string // the customer's reply that asked for it (invoice_replies.go)
}

type promise struct {
	Key string
	PromiseToPay
	Deadline time.Time
	Paid     int64
}

func (i *invoice) run(ctx workflow.Context) (Invoice, error) {
	// Plan: the segment, its steps on the invoice's policy days, and a
	// hold if this invoice takes the account over its limit. A local
	// activity (a few quick queries, within the workflow's first task)
	// spares the server an activity task and a second workflow task for
	// every invoice an ERP import brings. It also writes the invoice's
	// row, should the API have died between starting this workflow and
	// writing it.
	start := StartDunningInput{Invoice: i.Invoice, CreatedBy: i.createdBy, Now: workflow.Now(ctx)}
	planCtx := workflow.WithLocalActivityOptions(ctx, workflow.LocalActivityOptions{
		StartToCloseTimeout: 10 * time.Second,
		RetryPolicy:         retryPolicy,
	})
	if err := workflow.ExecuteLocalActivity(planCtx, StartDunningActivity, start).Get(ctx, &i.plan); err != nil {
		return i.Invoice, fmt.Errorf("plan dunning: %w", err)
	}
	i.Segment = i.plan.Segment
	for _, s := range i.plan.Steps {
		i.steps = append(i.steps, &step{PlannedStep: s})
	}
	i.started = true
	if i.plan.ExposureHold {
		i.held = true
		i.notify(ctx, "exposure-hold", email.KindCreditHold, "the account's exposure is over its credit limit", nil)
	}

	// Imported late: take the passed steps as the design says.
	i.catchUp(ctx)

	// Follow the steps as they fall due, until paid or written off.
	for !i.closed {
		i.settlePromise(ctx)
		next, wake, summary := i.nextWake(workflow.Now(ctx))
		if next != nil && !wake.After(workflow.Now(ctx)) {
			i.take(ctx, next, i.reason(next, workflow.Now(ctx)))
			continue
		}
		seen := i.changes
		woken := func() bool { return i.closed || i.changes != seen }
		if wake.IsZero() {
			if err := workflow.Await(ctx, woken); err != nil {
				return i.Invoice, err
			}
			continue
		}
		if _, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
			Timeout:      wake.Sub(workflow.Now(ctx)),
			TimerOptions: workflow.TimerOptions{Summary: summary},
		}, woken); err != nil {
			return i.Invoice, err
		}
	}

	// Paid or written off: a kept promise is recorded, and a rep who was
	// pulled in hears that the money came.
	if i.promise != nil {
		i.promiseSettled(ctx, "kept")
	}
	// The update that closed the invoice answers first (and tells the rep
	// of a released hold); later ones are refused by their validators.
	if err := workflow.Await(ctx, func() bool { return i.emails.idle() && workflow.AllHandlersFinished(ctx) }); err != nil {
		return i.Invoice, err
	}
	// The escalation's workflow ends with this one; its record says why.
	if i.escalationOpen {
		id := escalationID(i.ID, i.escalations)
		closeEscalation := activityCall{
			name: RecordEscalationClosedActivity, input: EscalationRef{EscalationID: id},
			legacyName: legacyCloseEscalation, legacyArgs: []any{id},
		}
		if err := i.activities.execute(ctx, closeEscalation).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("escalation not closed", "escalation", id, "error", err)
		}
	}
	if i.Status == InvoicePaid && (i.escalated || i.held) {
		i.notify(ctx, "paid", email.KindPaymentReceived, "", nil)
	}
	return i.snapshot(ctx), nil
}

// catchUp handles an invoice imported after some of its steps: only the
// latest passed customer email is sent, passed escalation and hold steps
// are taken.
func (i *invoice) catchUp(ctx workflow.Context) {
	now := workflow.Now(ctx)
	var latest *step
	for _, s := range i.steps {
		if s.At.After(now) || i.closed {
			continue
		}
		if s.CustomerFacing() {
			if latest != nil {
				latest.done = true // superseded by a later one: not sent
			}
			latest = s
			continue
		}
		i.take(ctx, s, "had passed when the invoice was imported")
	}
	if latest != nil && !i.closed {
		i.take(ctx, latest, "the latest customer step that had passed when the invoice was imported")
	}
}

// nextWake finds the next pending step that may fall due and when to
// wake up: at that step, at a promise's deadline or at the end of a
// timed pause, whichever comes first. A zero wake means: only a signal
// can move things on (an open dispute).
func (i *invoice) nextWake(now time.Time) (*step, time.Time, string) {
	var next *step
	var wake time.Time
	summary := ""
	consider := func(t time.Time, what string) bool {
		if wake.IsZero() || t.Before(wake) {
			wake, summary = t, what
			return true
		}
		return false
	}
	for _, s := range i.steps {
		if s.done {
			continue
		}
		if paused, _ := i.pausedNow(s, now); paused {
			continue
		}
		if consider(i.dueAt(s, now), stepSummary(i.plan.DueDay, s)) {
			next = s
		}
	}
	if i.promise != nil && consider(i.promise.Deadline, "promise to pay due "+i.promise.PromisedDate) {
		next = nil
	}
	for _, p := range i.pauses {
		if !p.Until.IsZero() && p.Until.After(now) && consider(p.Until, "pause ends") {
			next = nil
		}
	}
	return next, wake, summary
}

// stepSummary names a step's timer as a credit manager would: "day 31
// reminder".
func stepSummary(dueDay int, s *step) string {
	return fmt.Sprintf("day %d %s", dueDay+s.Day, strings.ReplaceAll(s.Label, "_", " "))
}

// stepKey names a step in outbox and timeline keys: "day-31-reminder".
func stepKey(dueDay int, s *step) string {
	return fmt.Sprintf("day-%d-%s", dueDay+s.Day, s.Label)
}

func (i *invoice) applies(p pause, s *step) bool { return !p.CustomerOnly || s.CustomerFacing() }

// pausedNow reports whether a pause holds step s now.
func (i *invoice) pausedNow(s *step, now time.Time) (bool, string) {
	for _, p := range i.pauses {
		if i.applies(p, s) && (policy.Pause{From: p.From, Until: p.Until}).Holds(now) {
			return true, p.Why
		}
	}
	return false, ""
}

// dueAt is when step s falls due: its planned instant moved by the time
// the invoice has spent paused for it, in whole policy days.
func (i *invoice) dueAt(s *step, now time.Time) time.Time {
	var held []policy.Pause
	for _, p := range i.pauses {
		if i.applies(p, s) {
			held = append(held, policy.Pause{From: p.From, Until: p.Until})
		}
	}
	return s.At.Add(policy.PausedFor(held, now, i.plan.Day))
}

// reason says why a step falls when it does, for GET /invoices/{id}.
func (i *invoice) reason(s *step, now time.Time) string {
	when := "after"
	day := s.Day
	if day < 0 {
		when, day = "before", -day
	}
	r := fmt.Sprintf("%s segment: %s %d days %s the due date", i.Segment, strings.ReplaceAll(s.Label, "_", " "), day, when)
	if paused, why := i.pausedNow(s, now); paused {
		return r + "; waiting: " + why
	}
	if moved := i.dueAt(s, now).Sub(s.At); moved > 0 && i.plan.Day > 0 {
		r += fmt.Sprintf("; moved %d days by pauses", int(moved/i.plan.Day))
	}
	return r
}

// take carries out one dunning step and records it. A customer step
// joins the account's email of the day, which records it with the email
// it went out in (GetVersion 1 of oneEmailADay); before, each invoice
// wrote on its own.
func (i *invoice) take(ctx workflow.Context, s *step, reason string) {
	s.done = true
	now := workflow.Now(ctx)
	var outcome string
	switch s.Action {
	case policy.ActionCourtesyNotice, policy.ActionReminder, policy.ActionFinalNotice:
		if workflow.GetVersion(ctx, oneEmailADay, workflow.DefaultVersion, 1) == 1 {
			taken := DunningStep{Day: s.Day, Action: s.Label, At: &now, Reason: reason}
			if joined, ok := i.joinCustomerDay(ctx, s, taken); ok {
				taken.Outcome = joined
				i.taken = append(i.taken, taken)
				return
			}
		}
		outcome = i.remind(ctx, s)
	case policy.ActionEscalate:
		outcome = i.escalate(ctx, fmt.Sprintf("invoice %s is %d days past due and unpaid", i.Number, i.daysPastDue(now)))
	case policy.ActionHold:
		outcome = i.hold(ctx)
	}
	taken := DunningStep{Day: s.Day, Action: s.Label, At: &now, Reason: reason, Outcome: outcome}
	i.taken = append(i.taken, taken)
	rec := StepRecord{Key: InvoiceWorkflowID(i.ID) + "/" + stepKey(i.plan.DueDay, s), InvoiceID: i.ID, Step: taken}
	if err := workflow.ExecuteActivity(ctx, RecordDunningStepActivity, rec).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("dunning step not recorded", "step", rec.Key, "error", err)
	}
}

// oneEmailADay: customer steps go out in the account's email of the day.
const oneEmailADay = "one-email-a-day"

// joinCustomerDay hands a customer step to the account's email of its
// day. Not ok: the hand-over failed for good, and the step goes out in
// an email of its own, as before, rather than not at all.
func (i *invoice) joinCustomerDay(ctx workflow.Context, s *step, taken DunningStep) (string, bool) {
	now := workflow.Now(ctx)
	due := i.dueAt(s, now)
	moved := 0
	if i.plan.Day > 0 {
		moved = int(due.Sub(s.At) / i.plan.Day)
	}
	issued := policy.ParseDate(i.IssueDate)
	sendDate := i.plan.Clock().SendDate(issued, i.plan.DueDay+s.Day+moved, due, now)
	date := sendDate.Format(time.DateOnly)
	join := JoinCustomerDayInput{
		Day: CustomerDayInput{AccountID: i.AccountID, Date: date, Window: policy.CustomerEmailWindow(i.plan.CustomerEmailWindow, i.plan.Day)},
		// Days past due on the email's date: at 09:00 the policy clock of
		// an invoice whose workflow started later in the day still reads
		// the day before.
		Step: CustomerStep{Key: InvoiceWorkflowID(i.ID) + "/" + stepKey(i.plan.DueDay, s), InvoiceID: i.ID,
			Kind: customerEmail[s.Action], DaysPastDue: policy.Days(issued, sendDate) - i.plan.DueDay, Step: taken},
	}
	if err := workflow.ExecuteActivity(ctx, JoinCustomerDayActivity, join).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("customer step not handed to the day's email", "step", join.Step.Key, "error", err)
		return "", false
	}
	return "goes out in the customer's email of " + date + " (" + CustomerDayWorkflowID(i.AccountID, date) + ")", true
}

var customerEmail = map[string]string{
	policy.ActionCourtesyNotice: email.KindCourtesyNotice,
	policy.ActionReminder:       email.KindInvoiceReminder,
	policy.ActionFinalNotice:    email.KindFinalNotice,
}

// remind writes to the customer's billing contact. The activity re-reads
// the invoice and sends nothing when it is no longer owed. An address
// SendGrid refuses for good is missing contact data: the rep is asked for
// the right one.
func (i *invoice) remind(ctx workflow.Context, s *step) string {
	key := stepKey(i.plan.DueDay, s)
	sent, err := i.notify(ctx, key, customerEmail[s.Action], "", nil)
	var appErr *temporal.ApplicationError
	switch {
	case errors.As(err, &appErr) && appErr.Type() == ErrTypeEmailRejected:
		i.notify(ctx, "contact-missing/"+key, email.KindContactMissing, appErr.Message(), nil)
		return "not delivered: the billing address was refused; the sales rep was asked for the right contact"
	case err != nil:
		return "not sent"
	case sent.Status == EmailSkipped:
		return "not sent: nothing is owed any more"
	case sent.Status == EmailLogged:
		return "written to the outbox for " + strings.Join(sent.To, ", ") + ", not sent: SENDGRID_API_KEY is unset"
	default:
		return "sent to " + strings.Join(sent.To, ", ")
	}
}

// escalate asks the account's sales rep for help, as a child workflow
// that waits for their acknowledgement and chases their manager.
func (i *invoice) escalate(ctx workflow.Context, reason string) string {
	if i.escalationOpen {
		return "already escalated; waiting for the sales rep"
	}
	i.escalations++
	i.escalated, i.escalationOpen = true, true
	now := workflow.Now(ctx)
	in := EscalationInput{
		Escalation: Escalation{
			ID: escalationID(i.ID, i.escalations), AccountID: i.AccountID, InvoiceID: i.ID,
			Status: EscalationOpen, CreatedAt: now,
		},
		Reason:       reason,
		DaysPastDue:  i.daysPastDue(now),
		Issued:       i.plan.Issued,
		IssueDate:    i.IssueDate,
		Day:          i.plan.Day,
		AckDays:      i.plan.EscalationAckDays,
		MaxPauseDays: i.plan.MaxPauseDays,
	}
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, workflow.ChildWorkflowOptions{
		WorkflowID: EscalationWorkflowID(in.Escalation.ID),
	}), EscalationWorkflow, in)
	if err := child.GetChildWorkflowExecution().Get(ctx, nil); err != nil {
		i.escalationOpen = false
		workflow.GetLogger(ctx).Error("escalation not started", "error", err)
		return "escalation failed to start"
	}
	workflow.Go(ctx, func(ctx workflow.Context) {
		var r EscalationResult
		err := child.Get(ctx, &r)
		i.escalationOpen = false
		if err == nil && !r.PauseUntil.IsZero() {
			i.pauses = append(i.pauses, pause{From: workflow.Now(ctx), Until: r.PauseUntil, CustomerOnly: true,
				Why: "customer reminders paused by the sales rep until " + r.Escalation.PauseUntil})
		}
		i.changes++
	})
	return "escalated to the sales rep (" + in.Escalation.ID + ")"
}

// escalationID is deterministic: the invoice's id and the escalation's
// rank, so a replay names the same escalation.
func escalationID(invoiceID string, n int) string {
	return fmt.Sprintf("esc_%s_%d", strings.TrimPrefix(invoiceID, "inv_"), n)
}

// hold puts the account on hold; the rep is told when it was not already.
func (i *invoice) hold(ctx workflow.Context) string {
	i.held = true
	h := HoldRequest{
		Key: InvoiceWorkflowID(i.ID) + "/credit-hold", AccountID: i.AccountID, InvoiceID: i.ID,
		Summary: fmt.Sprintf("Credit hold: invoice %s is %d days past due", i.Number, i.daysPastDue(workflow.Now(ctx))),
	}
	var putOnHold bool
	if err := workflow.ExecuteActivity(ctx, PlaceCreditHoldActivity, h).Get(ctx, &putOnHold); err != nil {
		workflow.GetLogger(ctx).Error("credit hold not placed", "error", err)
		return "hold failed"
	}
	if !putOnHold {
		return "account already on hold"
	}
	i.notify(ctx, "credit-hold", email.KindCreditHold, h.Summary, nil)
	return "account put on hold"
}

// settlePromise settles a promise whose date has passed: kept when the
// promised amount came, broken otherwise, which escalates at once.
func (i *invoice) settlePromise(ctx workflow.Context) {
	p := i.promise
	if p == nil || workflow.Now(ctx).Before(p.Deadline) {
		return
	}
	if p.Paid >= p.Amount.Minor {
		i.promiseSettled(ctx, "kept")
		return
	}
	i.promiseSettled(ctx, "broken")
	i.escalate(ctx, fmt.Sprintf("the customer promised %s by %s and did not pay it", p.Amount.Display(), p.PromisedDate))
}

func (i *invoice) promiseSettled(ctx workflow.Context, status string) {
	key := i.promise.Key
	i.promise = nil
	settle := activityCall{
		name: SettlePromiseToPayActivity, input: SettlePromiseInput{Key: key, Status: status},
		legacyName: legacySettlePromise, legacyArgs: []any{key, status},
	}
	if err := i.activities.execute(ctx, settle).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("promise not settled", "key", key, "error", err)
	}
}

// notify sends one email about the invoice. A failed email is logged and
// does not stop the follow-up: the outbox keeps the failure.
func (i *invoice) notify(ctx workflow.Context, step, kind, reason string, to []string) (SentEmail, error) {
	e := InvoiceEmail{
		Key:         InvoiceWorkflowID(i.ID) + "/" + step,
		Kind:        kind,
		InvoiceID:   i.ID,
		DaysPastDue: i.daysPastDue(workflow.Now(ctx)),
		Reason:      reason,
		To:          to,
	}
	var sent SentEmail
	err := workflow.ExecuteActivity(ctx, SendInvoiceEmailActivity, e).Get(ctx, &sent)
	if err != nil {
		workflow.GetLogger(ctx).Error("email not sent", "kind", kind, "error", err)
	}
	return sent, err
}

// released tells the rep when an operation lifted the account's last hold,
// without holding up the operation's answer.
func (i *invoice) released(ctx workflow.Context, s Settlement, cause string) {
	if s.Released {
		i.emails.Go(ctx, func(ctx workflow.Context) {
			i.notify(ctx, "hold-released/"+cause, email.KindHoldReleased, "", nil)
		})
	}
}

// daysPastDue is the invoice's policy day relative to its due date
// (negative before it).
func (i *invoice) daysPastDue(now time.Time) int { return i.plan.DaysPastDue(now) }

// policyToday is the invoice's calendar date now, in policy days.
func (i *invoice) policyToday(now time.Time) time.Time {
	return i.plan.Clock().DateAt(policy.ParseDate(i.IssueDate), now)
}

// snapshot is the invoice as the workflow sees it now.
func (i *invoice) snapshot(ctx workflow.Context) Invoice {
	inv := i.Invoice
	inv.StepsTaken = slices.Clone(i.taken)
	if !i.started {
		return inv
	}
	now := workflow.Now(ctx)
	inv.UpdatedAt = now
	if inv.Status == InvoiceOpen || inv.Status == InvoiceDisputed {
		inv.DaysOverdue = max(0, i.daysPastDue(now))
	}
	if i.closed {
		return inv
	}
	var next *step
	var due time.Time
	for _, s := range i.steps {
		if s.done {
			continue
		}
		if d := i.dueAt(s, now); next == nil || d.Before(due) {
			next, due = s, d
		}
	}
	if next != nil {
		ns := DunningStep{Day: next.Day, Action: next.Label, Reason: i.reason(next, now)}
		if paused, _ := i.pausedNow(next, now); !paused {
			ns.At = &due
		}
		inv.NextStep = &ns
	}
	return inv
}

// registerHandlers installs the status query and the updates the API
// sends: payment, dispute, dispute resolution, promise, write-off; and
// those a customer's reply sends (invoice_replies.go). Someone waits for
// each update's answer: the activity it waits for runs in the interactive
// lane (inLane), not behind an import's invoices.
func (i *invoice) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (Invoice, error) {
		return i.snapshot(ctx), nil
	}); err != nil {
		return err
	}
	for _, h := range []struct {
		name      string
		handler   any
		validator any
	}{
		{PaymentUpdate, i.pay, i.validatePayment},
		{DisputeUpdate, i.openDispute, i.validateDispute},
		{ResolveDisputeUpdate, i.resolveDispute, i.validateResolution},
		{PromiseUpdate, i.promiseToPay, i.validatePromise},
		{WriteOffUpdate, i.writeOff, i.validateWriteOff},
		{ReplyPauseUpdate, i.pauseForReply, i.validateReplyPause},
		{ReplyReadUpdate, i.replyRead, i.validateReplyRead},
	} {
		if err := workflow.SetUpdateHandlerWithOptions(ctx, h.name, h.handler,
			workflow.UpdateHandlerOptions{Validator: h.validator}); err != nil {
			return err
		}
	}
	return nil
}

func (i *invoice) open() error {
	if i.closed {
		return conflict(fmt.Sprintf("invoice %s is %s", i.ID, i.Status))
	}
	return nil
}

// amount checks an amount against the balance, naming the field.
func (i *invoice) amount(field string, minor int64, currency string) error {
	switch {
	case currency != i.Balance.Currency:
		return invalid(field + ".currency: must be the invoice's currency " + i.Balance.Currency)
	case minor <= 0:
		return invalid(field + ".amount: must be greater than zero")
	case minor > i.Balance.Minor:
		return invalid(field + ".amount: exceeds the balance of " + i.Balance.Display())
	}
	return nil
}

// awaitStarted lets an update that arrived before the plan wait for it.
func (i *invoice) awaitStarted(ctx workflow.Context) error {
	return workflow.Await(ctx, func() bool { return i.started })
}

func (i *invoice) validatePayment(ctx workflow.Context, p Payment) error {
	if err := i.open(); err != nil {
		return err
	}
	return i.amount("amount", p.Amount.Minor, p.Amount.Currency)
}

// pay lowers the balance; the last payment ends the follow-up.
func (i *invoice) pay(ctx workflow.Context, p Payment) (Invoice, error) {
	ctx = withActivityOptions(ctx)
	if err := i.awaitStarted(ctx); err != nil {
		return i.snapshot(ctx), err
	}
	// Re-checked: two payments accepted in one workflow task both passed
	// the validator against the same balance.
	if err := i.validatePayment(ctx, p); err != nil {
		return i.snapshot(ctx), err
	}
	i.Balance.Minor -= p.Amount.Minor
	if i.promise != nil {
		i.promise.Paid += p.Amount.Minor
	}
	if i.Balance.Minor == 0 {
		i.Status, i.closed = InvoicePaid, true
	}
	i.changes++
	var s Settlement
	record := activityCall{
		name: RecordInvoicePaymentActivity, input: RecordPaymentInput{InvoiceID: i.ID, Payment: p},
		legacyName: legacyRecordPayment, legacyArgs: []any{i.ID, p},
	}
	if err := i.activities.execute(inLane(ctx), record).Get(ctx, &s); err != nil {
		return i.snapshot(ctx), err
	}
	i.released(ctx, s, p.ID)
	return i.snapshot(ctx), nil
}

func (i *invoice) validateDispute(ctx workflow.Context, r DisputeInput) error {
	if err := i.open(); err != nil {
		return err
	}
	if i.dispute != nil {
		return conflict(fmt.Sprintf("invoice %s is already disputed (%s)", i.ID, i.dispute.ID))
	}
	return nil
}

// openDispute pauses every step until the dispute is resolved, and tells
// the dispute's owner.
func (i *invoice) openDispute(ctx workflow.Context, r DisputeInput) (Dispute, error) {
	ctx = withActivityOptions(ctx)
	if err := i.awaitStarted(ctx); err != nil {
		return r.Dispute, err
	}
	if err := i.validateDispute(ctx, r); err != nil {
		return r.Dispute, err
	}
	now := workflow.Now(ctx)
	d := r.Dispute
	d.InvoiceID, d.Status, d.CreatedAt = i.ID, DisputeOpen, now
	i.dispute = &d
	i.Status = InvoiceDisputed
	i.pauses = append(i.pauses, pause{From: now, Why: "disputed (" + d.ID + ")"})
	i.changes++
	record := activityCall{
		name: RecordDisputeActivity, input: DisputeInput{Dispute: d, By: r.By},
		legacyName: legacyOpenDispute, legacyArgs: []any{d, r.By},
	}
	if err := i.activities.execute(inLane(ctx), record).Get(ctx, nil); err != nil {
		return d, err
	}
	i.emails.Go(ctx, func(ctx workflow.Context) {
		i.notify(ctx, "dispute/"+d.ID, email.KindDisputeOpened, d.Department+": "+d.Reason, []string{d.OwnerEmail})
	})
	return d, nil
}

func (i *invoice) validateResolution(ctx workflow.Context, r DisputeResolution) error {
	if i.dispute == nil || i.dispute.ID != r.DisputeID {
		return conflict(fmt.Sprintf("dispute %s is not open", r.DisputeID))
	}
	if r.CreditNote != nil {
		return i.amount("credit_note", r.CreditNote.Minor, r.CreditNote.Currency)
	}
	return nil
}

// resolveDispute resumes the follow-up; the steps that fell during the
// dispute have moved by its length. A credit note lowers the balance and
// may settle the invoice.
func (i *invoice) resolveDispute(ctx workflow.Context, r DisputeResolution) (Dispute, error) {
	ctx = withActivityOptions(ctx)
	if err := i.validateResolution(ctx, r); err != nil {
		return Dispute{}, err
	}
	now := workflow.Now(ctx)
	for k := range i.pauses {
		if i.pauses[k].Until.IsZero() {
			i.pauses[k].Until = now
		}
	}
	d := *i.dispute
	i.dispute = nil
	d.Status, d.Resolution, d.CreditNote, d.ResolvedAt = DisputeResolved, r.Resolution, r.CreditNote, &now
	i.Status = InvoiceOpen
	if r.CreditNote != nil {
		i.Balance.Minor -= r.CreditNote.Minor
		if i.Balance.Minor == 0 {
			i.Status, i.closed = InvoicePaid, true
		}
	}
	i.changes++
	var s Settlement
	record := activityCall{
		name: RecordDisputeResolutionActivity, input: ResolveDisputeInput{Resolution: r, At: now},
		legacyName: legacyResolveDispute, legacyArgs: []any{r, now},
	}
	if err := i.activities.execute(inLane(ctx), record).Get(ctx, &s); err != nil {
		return d, err
	}
	i.released(ctx, s, d.ID)
	return d, nil
}

func (i *invoice) validatePromise(ctx workflow.Context, p PromiseToPay) error {
	if err := i.open(); err != nil {
		return err
	}
	if i.dispute != nil {
		return conflict(fmt.Sprintf("invoice %s is disputed: resolve the dispute first", i.ID))
	}
	if i.promise != nil {
		return conflict(fmt.Sprintf("invoice %s already has a promise to pay by %s", i.ID, i.promise.PromisedDate))
	}
	if _, err := time.Parse(time.DateOnly, p.PromisedDate); err != nil {
		return invalid("promised_date: must be a date YYYY-MM-DD")
	}
	return i.amount("amount", p.Amount.Minor, p.Amount.Currency)
}

// promiseToPay holds every step until the promised date; whether the
// promise was kept is settled then.
func (i *invoice) promiseToPay(ctx workflow.Context, p PromiseToPay) (Invoice, error) {
	ctx = withActivityOptions(ctx)
	if err := i.awaitStarted(ctx); err != nil {
		return i.snapshot(ctx), err
	}
	if err := i.validatePromise(ctx, p); err != nil {
		return i.snapshot(ctx), err
	}
	now := workflow.Now(ctx)
	date, _ := time.Parse(time.DateOnly, p.PromisedDate)
	today := i.policyToday(now)
	if date.Before(today) {
		return i.snapshot(ctx), invalid("promised_date: must not be in the past (today is " + today.Format(time.DateOnly) + ")")
	}
	// A plan from before max_promise_days existed has none (0): no bound.
	if last := today.AddDate(0, 0, i.plan.MaxPromiseDays); i.plan.MaxPromiseDays > 0 && date.After(last) {
		return i.snapshot(ctx), invalid(fmt.Sprintf("promised_date: at most %d days ahead (%s)", i.plan.MaxPromiseDays, last.Format(time.DateOnly)))
	}
	i.promises++
	i.promise = &promise{
		Key:          fmt.Sprintf("%s/promise-%d", InvoiceWorkflowID(i.ID), i.promises),
		PromiseToPay: p,
		Deadline:     i.plan.Clock().EndOfDate(policy.ParseDate(i.IssueDate), date),
	}
	i.pauses = append(i.pauses, pause{From: now, Until: i.promise.Deadline, Why: "promise to pay " + p.Amount.Display() + " by " + p.PromisedDate})
	i.changes++
	record := activityCall{
		name: RecordPromiseToPayActivity, input: RecordPromiseInput{Key: i.promise.Key, InvoiceID: i.ID, Promise: p},
		legacyName: legacyRecordPromise, legacyArgs: []any{i.promise.Key, i.ID, p},
	}
	if err := i.activities.execute(inLane(ctx), record).Get(ctx, nil); err != nil {
		return i.snapshot(ctx), err
	}
	return i.snapshot(ctx), nil
}

func (i *invoice) validateWriteOff(ctx workflow.Context, w WriteOff) error {
	if w.By.Role != RoleCreditManager {
		return forbidden("only credit managers write invoices off")
	}
	return i.open()
}

// writeOff ends the follow-up for good.
func (i *invoice) writeOff(ctx workflow.Context, w WriteOff) (Invoice, error) {
	ctx = withActivityOptions(ctx)
	if err := i.validateWriteOff(ctx, w); err != nil {
		return i.snapshot(ctx), err
	}
	i.Status, i.closed = InvoiceWrittenOff, true
	i.changes++
	var s Settlement
	record := activityCall{
		name: RecordWriteOffActivity, input: WriteOffInput{InvoiceID: i.ID, WriteOff: w},
		legacyName: legacyWriteOffInvoice, legacyArgs: []any{i.ID, w},
	}
	if err := i.activities.execute(inLane(ctx), record).Get(ctx, &s); err != nil {
		return i.snapshot(ctx), err
	}
	i.released(ctx, s, "write-off")
	return i.snapshot(ctx), nil
}
