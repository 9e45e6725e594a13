package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
)

// ReplyWorkflow acts on a customer's answer to one of our emails, once
// the Inbound Parse endpoint has stored it: match it to its account (by
// the signed token of the reply-to address it was sent to, else by its
// sender's billing address) and put it on the account's timeline; pause
// that customer's reminders while credit reads it, for at most the
// policy's days; tell the account's rep. Credit marking it read ends the
// pause at once. A reply that matches no account is kept for an admin.
func ReplyWorkflow(ctx workflow.Context, in ReplyInput) (ReplyResult, error) {
	r := &reply{in: in}
	if err := workflow.SetUpdateHandlerWithOptions(ctx, ReadReplyUpdate, r.markRead,
		workflow.UpdateHandlerOptions{Validator: r.validateRead}); err != nil {
		return ReplyResult{}, err
	}
	return r.run(withActivityOptions(ctx))
}

// reply is the workflow's state.
type reply struct {
	in     ReplyInput
	opened ReplyOpened
	paused []string // the invoices this reply paused
	// pausing: the pause is in place (or there is none to place); a read
	// waits for it, so that it never resumes before the pause began.
	pausing bool
	read    *ReadReply
	over    bool // the pause ended unread: a read no longer resumes anything
	emails  background
}

func (r *reply) run(ctx workflow.Context) (ReplyResult, error) {
	// Match the reply to its account and put it on the timeline.
	if err := workflow.ExecuteActivity(ctx, OpenReplyActivity, ReplyRef{ReplyID: r.in.ReplyID}).Get(ctx, &r.opened); err != nil {
		return r.result(), fmt.Errorf("open reply: %w", err)
	}
	if r.opened.AccountID == "" {
		// Nobody to tell: it waits in the unmatched replies for an admin.
		r.pausing, r.over = true, true
		return r.result(), nil
	}

	// Pause the customer's reminders while credit reads it.
	days := time.Duration(r.opened.PauseDays) * r.opened.Day
	until := workflow.Now(ctx).Add(days)
	pause := ReplyPauseInput{ReplyID: r.in.ReplyID, AccountID: r.opened.AccountID, Until: until}
	if err := workflow.ExecuteActivity(ctx, PauseForReplyActivity, pause).Get(ctx, &r.paused); err != nil {
		return r.result(), fmt.Errorf("pause reminders: %w", err)
	}
	r.pausing = true

	// Tell the rep, beside the wait: SendGrid being down delays no resume.
	r.emails.Go(ctx, func(ctx workflow.Context) {
		m := Email{
			Key: ReplyWorkflowID(r.in.ReplyID) + "/rep", Kind: email.KindCustomerReplied,
			To: []string{r.opened.SalesRep}, Facts: r.opened.Facts,
			IDs: map[string]string{"account_id": r.opened.AccountID, "reply_id": r.in.ReplyID},
		}
		if err := workflow.ExecuteActivity(ctx, SendEmailActivity, m).Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("rep not told of the reply", "reply", r.in.ReplyID, "error", err)
		}
	})

	// Wait for credit to read it; the invoices' pauses end by themselves
	// at until.
	read, err := workflow.AwaitWithOptions(ctx, workflow.AwaitOptions{
		Timeout:      until.Sub(workflow.Now(ctx)),
		TimerOptions: workflow.TimerOptions{Summary: fmt.Sprintf("reply unread (%d days)", r.opened.PauseDays)},
	}, func() bool { return r.read != nil })
	if err != nil {
		return r.result(), err
	}
	r.over = !read
	if err := workflow.Await(ctx, func() bool { return r.emails.idle() && workflow.AllHandlersFinished(ctx) }); err != nil {
		return r.result(), err
	}
	return r.result(), nil
}

func (r *reply) result() ReplyResult {
	res := ReplyResult{AccountID: r.opened.AccountID, Paused: r.paused}
	if r.read != nil {
		res.ReadBy = r.read.By
	}
	return res
}

// validateRead: once the pause has ended unread, a read resumes nothing
// here (the API records it on the reply itself).
func (r *reply) validateRead(ctx workflow.Context, rd ReadReply) error {
	if r.over && r.read == nil {
		return conflict(fmt.Sprintf("reply %s no longer pauses reminders", r.in.ReplyID))
	}
	return nil
}

// markRead ends the pause on every invoice the reply paused, and records
// who read it. A second read answers as the first.
func (r *reply) markRead(ctx workflow.Context, rd ReadReply) error {
	ctx = withActivityOptions(ctx)
	if err := workflow.Await(ctx, func() bool { return r.pausing }); err != nil {
		return err
	}
	if r.read != nil {
		return nil
	}
	r.read = &rd
	if len(r.paused) > 0 {
		resume := ResumeAfterReplyInput{ReplyID: r.in.ReplyID, Invoices: r.paused}
		if err := workflow.ExecuteActivity(ctx, ResumeAfterReplyActivity, resume).Get(ctx, nil); err != nil {
			return err
		}
	}
	in := MarkReplyReadInput{ReplyID: r.in.ReplyID, By: rd.By, At: workflow.Now(ctx)}
	return workflow.ExecuteActivity(ctx, MarkReplyReadActivity, in).Get(ctx, nil)
}
