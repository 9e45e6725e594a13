package activities

import (
	"context"
	"errors"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"golang.org/x/sync/errgroup"

	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/workflows"
)

// startConcurrency bounds the review workflows one page starts at once.
const startConcurrency = 16

// ListDueReviews reads a page of customers and answers those whose
// band's interval (policy review_every_days, in policy days) has passed
// since their last review at in.AsOf, and that no review is waiting for.
func (a *Activities) ListDueReviews(ctx context.Context, in workflows.ListDueReviewsInput) (workflows.DueReviews, error) {
	candidates, err := a.Store.ReviewCandidates(ctx, in.After, in.Limit)
	if err != nil {
		return workflows.DueReviews{}, err
	}
	out := workflows.DueReviews{Scanned: len(candidates), Due: []workflows.DueReview{}}
	review := a.Policy.PeriodicReview
	for _, c := range candidates {
		dueAt := review.DueAt(c.Band, c.LastReview, a.Day)
		if c.UnderReview || dueAt.After(in.AsOf) {
			continue
		}
		out.Due = append(out.Due, workflows.DueReview{
			AccountID: c.AccountID, Band: c.Band, EveryDays: review.EveryDays(c.Band), LastReview: c.LastReview,
			DueDay: policy.DayNumber(dueAt, a.Day), CreditLimit: workflows.MoneyOf(c.CreditLimit),
		})
	}
	if len(candidates) == in.Limit && in.Limit > 0 {
		out.Next = candidates[len(candidates)-1].AccountID
	}
	return out, nil
}

// StartPeriodicReviews starts one CreditRequestWorkflow of kind
// periodic_review per due customer, as the API starts a request: the
// workflow first, under an id Temporal refuses to start twice; its first
// activity writes the request's row. A review already started under its
// id (an earlier run, or an earlier attempt of this one) is done.
func (a *Activities) StartPeriodicReviews(ctx context.Context, in workflows.StartPeriodicReviewsInput) (workflows.StartedReviews, error) {
	if a.Temporal == nil {
		return workflows.StartedReviews{}, temporal.NewNonRetryableApplicationError("this worker has no Temporal client to start reviews with", workflows.ErrTypeInvalid, nil)
	}
	at := time.Now().UTC().Truncate(time.Microsecond) // as Postgres keeps it
	var out workflows.StartedReviews
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(startConcurrency)
	for i, due := range in.Reviews {
		g.Go(func() error {
			r := workflows.PeriodicReviewRequest(due, at)
			_, err := a.Temporal.ExecuteWorkflow(gctx, client.StartWorkflowOptions{
				ID:                    workflows.CreditRequestWorkflowID(r.ID),
				TaskQueue:             a.TaskQueue,
				WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
				// Without it the SDK answers an id already started with
				// that run, as if it had started it now.
				WorkflowExecutionErrorWhenAlreadyStarted: true,
			}, workflows.CreditRequestWorkflow, r)
			var started *serviceerror.WorkflowExecutionAlreadyStarted
			mu.Lock()
			defer mu.Unlock()
			switch {
			case errors.As(err, &started):
				out.AlreadyStarted++
			case err != nil:
				return err
			default:
				out.Started++
			}
			activity.RecordHeartbeat(ctx, i)
			return nil
		})
	}
	return out, g.Wait()
}

// ScorePeriodicReview scores a periodic review on the account's own
// payment record since its last review, and records the verdict. It
// first writes the request's row: the schedule's run started the
// workflow and wrote nothing.
func (a *Activities) ScorePeriodicReview(ctx context.Context, r workflows.CreditRequest) (workflows.Assessment, error) {
	account, err := a.writeRequest(ctx, r)
	if err != nil {
		return workflows.Assessment{}, err
	}
	states, err := a.Store.ReviewStates(ctx, []string{r.AccountID})
	if err != nil {
		return workflows.Assessment{}, err
	}
	record, err := a.Store.ReviewRecord(ctx, r.AccountID, states[r.AccountID].LastReview, time.Now())
	if err != nil {
		return workflows.Assessment{}, err
	}
	score := a.Policy.PeriodicReview.Score(record, a.Policy.Scoring.Bands)
	if err := a.Store.RecordScore(ctx, r.ID, score.Score); err != nil {
		return workflows.Assessment{}, err
	}
	out := a.assessment(score.Score, account.Name)
	out.Score.Recommendation = score.Recommendation
	return out, nil
}

// ApplyReviewDecision records a periodic review's decision and applies it
// to the account, holds included.
func (a *Activities) ApplyReviewDecision(ctx context.Context, in workflows.ApplyDecisionInput) (workflows.ReviewApplied, error) {
	applied, err := a.Store.ApplyReviewDecision(ctx, in.RequestID, decisionRow(in.Decision))
	if err != nil {
		return workflows.ReviewApplied{}, err
	}
	return workflows.ReviewApplied{
		PutOnHold: applied.PutOnHold, Released: applied.Released,
		CreditLimit: workflows.MoneyOf(applied.CreditLimit), Exposure: workflows.MoneyOf(applied.Exposure),
	}, nil
}
