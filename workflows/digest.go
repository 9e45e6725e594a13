package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"
)

// DigestWorkflow sends the weekly digest: every sales rep and every credit
// manager gets one email with what is waiting for them this week, unless
// there is nothing. The week is the schedule's (or this run's); each
// person's digest is one activity that reads their accounts and sends,
// idempotent by the outbox key digest/<period>/<user>, so a retried,
// replayed or repeated run sends nobody a second one.
func DigestWorkflow(ctx workflow.Context, in DigestInput) (DigestResult, error) {
	d := &digest{in: in, result: in.Done}
	d.in.PageSize = positiveOr(in.PageSize, DigestPageSize)
	d.in.BatchSize = positiveOr(in.BatchSize, DigestBatchSize)
	d.in.RunLimit = positiveOr(in.RunLimit, DigestRunLimit)
	return d.run(withActivityOptions(ctx))
}

// digest is one run's state.
type digest struct {
	in     DigestInput
	result DigestResult
}

func (d *digest) run(ctx workflow.Context) (DigestResult, error) {
	// Which week: fixed once, and carried when the run continues as new.
	if d.in.Plan == nil {
		var plan DigestPlan
		if err := workflow.ExecuteActivity(ctx, PlanDigestActivity, PlanDigestInput{At: scheduledAt(ctx)}).Get(ctx, &plan); err != nil {
			return d.result, fmt.Errorf("plan digest: %w", err)
		}
		d.in.Plan = &plan
	}
	d.result.Period = d.in.Plan.Period

	// Everyone, a page at a time, a batch at a time.
	inThisRun := 0
	for {
		var page DigestRecipients
		list := ListDigestRecipientsInput{After: d.in.After, Limit: d.in.PageSize}
		if err := workflow.ExecuteActivity(ctx, ListDigestRecipientsActivity, list).Get(ctx, &page); err != nil {
			return d.result, fmt.Errorf("list digest recipients: %w", err)
		}
		for start := 0; start < len(page.Recipients); start += d.in.BatchSize {
			d.send(ctx, page.Recipients[start:min(start+d.in.BatchSize, len(page.Recipients))])
		}
		inThisRun += len(page.Recipients)
		if page.Next == "" {
			return d.result, nil
		}
		d.in.After = page.Next

		// A bounded history: the rest of the recipients in a new run.
		if inThisRun >= d.in.RunLimit {
			d.in.Done = d.result
			return d.result, workflow.NewContinueAsNewError(ctx, DigestWorkflowName, d.in)
		}
	}
}

// send mails a batch of people at once and waits for all of them. One
// person's digest failing for good (a template bug, an address SendGrid
// refuses) is logged and counted; it stops nobody else's.
func (d *digest) send(ctx workflow.Context, batch []DigestRecipient) {
	futures := make([]workflow.Future, len(batch))
	for i, r := range batch {
		futures[i] = workflow.ExecuteActivity(ctx, SendDigestActivity, SendDigestInput{Plan: *d.in.Plan, Recipient: r})
	}
	for i, f := range futures {
		var out DigestOutcome
		err := f.Get(ctx, &out)
		d.result.Recipients++
		switch {
		case err != nil:
			d.result.Failed++
			workflow.GetLogger(ctx).Error("digest not sent", "to", batch[i].Email, "period", d.in.Plan.Period, "error", err)
		case out.Status == DigestEmpty:
			d.result.Empty++
		default:
			d.result.Sent++
		}
	}
}

// scheduledStartTime is the search attribute Temporal gives a workflow a
// schedule started: the moment it was due, not when it got to run.
var scheduledStartTime = temporal.NewSearchAttributeKeyTime("TemporalScheduledStartTime")

// scheduledAt is the digest's moment: the schedule's, so that a run
// started late (a catch-up after an outage) reports on the week it was
// due for; for a manual run, its start.
func scheduledAt(ctx workflow.Context) time.Time {
	if at, ok := workflow.GetTypedSearchAttributes(ctx).GetTime(scheduledStartTime); ok && !at.IsZero() {
		return at
	}
	if start := workflow.GetInfo(ctx).WorkflowStartTime; !start.IsZero() {
		return start
	}
	return workflow.Now(ctx)
}

func positiveOr(n, def int) int {
	if n > 0 {
		return n
	}
	return def
}
