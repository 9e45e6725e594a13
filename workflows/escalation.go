package workflows

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
)

// EscalationWorkflow asks the account's sales rep for help with an
// overdue invoice: an email with the account's picture, then a wait for
// their acknowledgement. Not acknowledged within the policy's days, the
// rep's manager (or the credit managers) is told, and the wait goes on.
// It ends with the acknowledgement, or with its invoice.
func EscalationWorkflow(ctx workflow.Context, in EscalationInput) (EscalationResult, error) {
	e := &escalation{in: in, Escalation: in.Escalation, activities: newActivityVersion(ctx)}
	if err := e.registerHandlers(ctx); err != nil {
		return EscalationResult{Escalation: e.Escalation}, err
	}
	return e.run(withActivityOptions(ctx))
}

// escalation is the workflow's state.
type escalation struct {
	in EscalationInput
	Escalation
	activities activityVersion
	opened     bool // recorded with its rep; acknowledgements may be checked
	ack        *Acknowledgement
	pauseUntil time.Time
	finished   bool
}

func (e *escalation) run(ctx workflow.Context) (EscalationResult, error) {
	// Ask the rep for help.
	record := activityCall{
		name: RecordEscalationActivity, input: OpenEscalationInput{Escalation: e.Escalation, Reason: e.in.Reason},
		legacyName: legacyOpenEscalation, legacyArgs: []any{e.Escalation, e.in.Reason},
	}
	if err := e.activities.execute(ctx, record).Get(ctx, &e.Escalation); err != nil {
		return e.result(), fmt.Errorf("record escalation: %w", err)
	}
	e.opened = true
	e.notify(ctx, "sent", email.KindSalesEscalation)

	// Wait for the acknowledgement; chase the rep's manager when it is late.
	acknowledged, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout:      time.Duration(e.in.AckDays) * e.in.Day,
		TimerOptions: workflow.TimerOptions{Summary: fmt.Sprintf("acknowledgement due (%d days)", e.in.AckDays)},
	}, func() bool { return e.ack != nil })
	if err != nil {
		return e.result(), err
	}
	if !acknowledged {
		e.Status = EscalationOverdue
		overdue := activityCall{
			name: RecordEscalationOverdueActivity, input: EscalationRef{EscalationID: e.ID},
			legacyName: legacyMarkEscalationOverdue, legacyArgs: []any{e.ID},
		}
		if err := e.activities.execute(ctx, overdue).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("escalation not marked overdue", "error", err)
		}
		e.notify(ctx, "overdue", email.KindEscalationOverdue)
		if err := workflow.Await(ctx, func() bool { return e.ack != nil }); err != nil {
			return e.result(), err
		}
	}
	e.finished = true
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) }); err != nil {
		return e.result(), err
	}
	return e.result(), nil
}

func (e *escalation) result() EscalationResult {
	return EscalationResult{Escalation: e.Escalation, PauseUntil: e.pauseUntil}
}

func (e *escalation) notify(ctx workflow.Context, step, kind string) {
	m := InvoiceEmail{
		Key: EscalationWorkflowID(e.ID) + "/" + step, Kind: kind, InvoiceID: e.InvoiceID, EscalationID: e.ID,
		DaysPastDue: e.in.DaysPastDue, Reason: e.in.Reason,
	}
	if err := workflow.ExecuteActivity(ctx, SendInvoiceEmailActivity, m).Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Error("email not sent", "kind", kind, "error", err)
	}
}

func (e *escalation) registerHandlers(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, StatusQuery, func() (Escalation, error) {
		return e.Escalation, nil
	}); err != nil {
		return err
	}
	return workflow.SetUpdateHandlerWithOptions(ctx, AcknowledgeUpdate, e.acknowledge,
		workflow.UpdateHandlerOptions{Validator: e.validateAcknowledgement})
}

// validateAcknowledgement: the account's rep acknowledges once, and
// pauses customer reminders for at most the policy's days.
func (e *escalation) validateAcknowledgement(ctx workflow.Context, ack Acknowledgement) error {
	if rep := cmp.Or(ack.Rep, e.SalesRep); e.opened && !strings.EqualFold(ack.By.Email, rep) {
		return forbidden("only the account's sales rep " + rep + " acknowledges this escalation")
	}
	if e.ack != nil {
		return conflict(fmt.Sprintf("escalation %s is already acknowledged", e.ID))
	}
	if strings.TrimSpace(ack.Note) == "" {
		return invalid("note: is required")
	}
	if ack.PauseUntil == "" {
		return nil
	}
	until, err := time.Parse(time.DateOnly, ack.PauseUntil)
	if err != nil {
		return invalid("pause_until: must be a date YYYY-MM-DD")
	}
	today := e.clock().DateAt(policy.ParseDate(e.in.IssueDate), workflow.Now(ctx))
	if until.Before(today) {
		return invalid("pause_until: must not be in the past (today is " + today.Format(time.DateOnly) + ")")
	}
	if last := today.AddDate(0, 0, e.in.MaxPauseDays); until.After(last) {
		return invalid(fmt.Sprintf("pause_until: at most %d days ahead (%s)", e.in.MaxPauseDays, last.Format(time.DateOnly)))
	}
	return nil
}

func (e *escalation) acknowledge(ctx workflow.Context, ack Acknowledgement) (Escalation, error) {
	ctx = withActivityOptions(ctx)
	if err := workflow.Await(ctx, func() bool { return e.opened }); err != nil {
		return e.Escalation, err
	}
	if err := e.validateAcknowledgement(ctx, ack); err != nil {
		return e.Escalation, err
	}
	e.ack = &ack
	now := workflow.Now(ctx)
	if ack.PauseUntil != "" {
		until, _ := time.Parse(time.DateOnly, ack.PauseUntil)
		e.pauseUntil = e.clock().EndOfDate(policy.ParseDate(e.in.IssueDate), until)
	}
	e.Status, e.Note, e.PauseUntil, e.AcknowledgedAt = EscalationAcknowledged, ack.Note, ack.PauseUntil, &now
	var recorded Escalation
	record := activityCall{
		name: RecordAcknowledgementActivity, input: AcknowledgeEscalationInput{EscalationID: e.ID, Acknowledgement: ack, At: now},
		legacyName: legacyAcknowledgeEscalation, legacyArgs: []any{e.ID, ack, now},
	}
	// The rep waits for this answer: the interactive lane.
	if err := e.activities.execute(inLane(ctx), record).Get(ctx, &recorded); err != nil {
		return e.Escalation, err
	}
	return e.Escalation, nil
}

// clock is the invoice's policy clock, which the escalation shares.
func (e *escalation) clock() policy.Clock { return policy.Clock{DayZero: e.in.Issued, Day: e.in.Day} }
