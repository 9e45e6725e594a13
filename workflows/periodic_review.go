package workflows

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/workflow"
)

// A run reads the customers a page at a time and continues as new after
// a number of pages, so that its history stays small however many
// customers there are (a page is four activity events).
const (
	reviewPageSize    = 500
	reviewPagesPerRun = 20
)

// PeriodicReviewWorkflow is the daily credit review: the Schedule
// creditflow-periodic-review starts it (with no input). It reads every
// customer, and for each whose band's interval has passed since its last
// review starts a CreditRequestWorkflow of kind periodic_review, which
// scores the account's record and waits in the credit inbox like any
// request. The review's id comes from the account and the day it fell
// due, so a second run (the same day, or the next while the review
// waits) starts nothing.
func PeriodicReviewWorkflow(ctx workflow.Context, in PeriodicReviewInput) (PeriodicReviewProgress, error) {
	ctx = withActivityOptions(ctx)
	asOf := workflow.Now(ctx)
	if in.AsOf != nil {
		asOf = *in.AsOf
	}
	progress, after := in.Progress, in.After
	for range reviewPagesPerRun {
		// Which customers of this page are due.
		var page DueReviews
		list := ListDueReviewsInput{AsOf: asOf, After: after, Limit: reviewPageSize}
		if err := workflow.ExecuteActivity(ctx, ListDueReviewsActivity, list).Get(ctx, &page); err != nil {
			return progress, fmt.Errorf("list customers due for review: %w", err)
		}
		progress.Scanned += page.Scanned
		progress.Due += len(page.Due)

		// Start their reviews; those started already count as done.
		if len(page.Due) > 0 {
			var started StartedReviews
			if err := workflow.ExecuteActivity(withStartOptions(ctx), StartPeriodicReviewsActivity,
				StartPeriodicReviewsInput{Reviews: page.Due}).Get(ctx, &started); err != nil {
				return progress, fmt.Errorf("start periodic reviews: %w", err)
			}
			progress.Started += started.Started
			progress.AlreadyStarted += started.AlreadyStarted
		}
		if page.Next == "" {
			workflow.GetLogger(ctx).Info("periodic review run done", "scanned", progress.Scanned, "due", progress.Due,
				"started", progress.Started, "already_started", progress.AlreadyStarted)
			return progress, nil
		}
		after = page.Next
	}
	return progress, workflow.NewContinueAsNewError(ctx, PeriodicReviewWorkflowName,
		PeriodicReviewInput{AsOf: &asOf, After: after, Progress: progress})
}

// withStartOptions gives a page of workflow starts (up to 500 calls to
// Temporal) the time it needs; it heartbeats, so a worker that dies is
// noticed quickly, and a retry starts the page again, which Temporal
// answers "already started" for each review the first attempt started.
func withStartOptions(ctx workflow.Context) workflow.Context {
	return workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout: 5 * time.Minute,
		HeartbeatTimeout:    30 * time.Second,
		RetryPolicy:         retryPolicy,
	})
}
