package workflows

import (
	"time"

	"go.temporal.io/sdk/workflow"
)

// A customer's reply pauses the customer emails of each open invoice of
// the account while credit reads it (ReplyWorkflow). The pause is like a
// sales rep's: customer emails only, moved by whole policy days, never
// dropped or doubled. Both updates are idempotent by reply: Temporal
// dedupes a retried activity's update by its id, and a second update for
// the same reply finds its pause. Registering them changes no command of
// a running workflow, so histories from before replay unchanged.

func (i *invoice) validateReplyPause(ctx workflow.Context, p ReplyPause) error { return i.open() }

// pauseForReply holds the customer emails until p.Until, or until the
// reply is read.
func (i *invoice) pauseForReply(ctx workflow.Context, p ReplyPause) (Invoice, error) {
	if err := i.awaitStarted(ctx); err != nil {
		return i.snapshot(ctx), err
	}
	now := workflow.Now(ctx)
	if i.closed || !p.Until.After(now) || i.replyPause(p.ReplyID) >= 0 {
		return i.snapshot(ctx), nil
	}
	i.pauses = append(i.pauses, pause{From: now, Until: p.Until, CustomerOnly: true, reply: p.ReplyID,
		Why: "the customer replied (" + p.ReplyID + "); customer reminders wait until credit reads it, at most until " +
			p.Until.UTC().Format(time.DateOnly)})
	i.changes++
	return i.snapshot(ctx), nil
}

func (i *invoice) validateReplyRead(ctx workflow.Context, r ReplyRead) error { return nil }

// replyRead ends the reply's pause now: the steps it held have moved by
// the whole policy days it lasted.
func (i *invoice) replyRead(ctx workflow.Context, r ReplyRead) (Invoice, error) {
	now := workflow.Now(ctx)
	if k := i.replyPause(r.ReplyID); k >= 0 && i.pauses[k].Until.After(now) {
		i.pauses[k].Until = now
		i.changes++
	}
	return i.snapshot(ctx), nil
}

// replyPause is the index of the reply's pause, or -1.
func (i *invoice) replyPause(replyID string) int {
	for k, p := range i.pauses {
		if p.reply == replyID {
			return k
		}
	}
	return -1
}
