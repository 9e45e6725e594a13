package workflows

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// people are the recipients the fake ListDigestRecipients pages through,
// in email order.
func people(n int) []DigestRecipient {
	out := make([]DigestRecipient, n)
	for i := range out {
		out[i] = DigestRecipient{Email: fmt.Sprintf("rep%03d@example.com", i), Role: "sales"}
	}
	return out
}

// fakeDigestActivities pages through everyone and records what was sent.
type fakeDigestActivities struct {
	everyone []DigestRecipient
	mu       sync.Mutex
	plans    int
	pages    []ListDigestRecipientsInput
	sent     []SendDigestInput
	empty    map[string]bool
	broken   map[string]bool
}

func (f *fakeDigestActivities) install(env *testsuite.TestWorkflowEnvironment) {
	env.OnActivity(PlanDigestActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in PlanDigestInput) (DigestPlan, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.plans++
			return DigestPlan{Period: "2025-W02", At: in.At}, nil
		})
	env.OnActivity(ListDigestRecipientsActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in ListDigestRecipientsInput) (DigestRecipients, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.pages = append(f.pages, in)
			var page DigestRecipients
			for _, r := range f.everyone {
				if r.Email > in.After && len(page.Recipients) < in.Limit {
					page.Recipients = append(page.Recipients, r)
				}
			}
			if n := len(page.Recipients); n == in.Limit && page.Recipients[n-1] != f.everyone[len(f.everyone)-1] {
				page.Next = page.Recipients[n-1].Email
			}
			return page, nil
		})
	env.OnActivity(SendDigestActivity, mock.Anything, mock.Anything).Return(
		func(_ context.Context, in SendDigestInput) (DigestOutcome, error) {
			f.mu.Lock()
			defer f.mu.Unlock()
			f.sent = append(f.sent, in)
			switch {
			case f.broken[in.Recipient.Email]:
				return DigestOutcome{}, temporal.NewNonRetryableApplicationError("no template", ErrTypeTemplate, nil)
			case f.empty[in.Recipient.Email]:
				return DigestOutcome{Status: DigestEmpty}, nil
			}
			return DigestOutcome{Status: DigestSent}, nil
		})
}

// newDigestEnvironment installs the fakes after the test's own mocks
// (first), which win.
func newDigestEnvironment(t *testing.T, f *fakeDigestActivities, first ...func(*testsuite.TestWorkflowEnvironment)) *testsuite.TestWorkflowEnvironment {
	var suite testsuite.WorkflowTestSuite
	env := suite.NewTestWorkflowEnvironment()
	registerActivityStubs(env)
	env.RegisterWorkflowWithOptions(DigestWorkflow, workflow.RegisterOptions{Name: DigestWorkflowName})
	for _, mock := range first {
		mock(env)
	}
	f.install(env)
	return env
}

// TestDigestPagesBatchesAndContinuesAsNew: 25 people, pages of 10,
// batches of 4, a new run after 20: the first run plans the week once,
// goes through two pages and continues as new after the 20th person with
// the plan and its counts; the second run finishes the last 5 without
// planning again. Everyone gets exactly one SendDigest.
func TestDigestPagesBatchesAndContinuesAsNew(t *testing.T) {
	f := &fakeDigestActivities{everyone: people(25), empty: map[string]bool{"rep003@example.com": true}}
	env := newDigestEnvironment(t, f)
	env.ExecuteWorkflow(DigestWorkflow, DigestInput{PageSize: 10, BatchSize: 4, RunLimit: 20})
	require.True(t, env.IsWorkflowCompleted())
	var cont *workflow.ContinueAsNewError
	require.ErrorAs(t, env.GetWorkflowError(), &cont, "a new run after 20 recipients")
	require.Equal(t, DigestWorkflowName, cont.WorkflowType.Name)
	require.Equal(t, 1, f.plans)
	require.Equal(t, []ListDigestRecipientsInput{{Limit: 10}, {After: "rep009@example.com", Limit: 10}}, f.pages)
	require.Len(t, f.sent, 20)

	var next DigestInput
	require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(cont.Input, &next))
	require.Equal(t, "rep019@example.com", next.After)
	require.Equal(t, "2025-W02", next.Plan.Period)
	require.Equal(t, DigestResult{Period: "2025-W02", Recipients: 20, Sent: 19, Empty: 1}, next.Done)

	// The continued run.
	f.pages = nil
	env = newDigestEnvironment(t, f)
	env.ExecuteWorkflow(DigestWorkflow, next)
	require.True(t, env.IsWorkflowCompleted())
	require.NoError(t, env.GetWorkflowError())
	var result DigestResult
	require.NoError(t, env.GetWorkflowResult(&result))
	require.Equal(t, DigestResult{Period: "2025-W02", Recipients: 25, Sent: 24, Empty: 1}, result)
	require.Equal(t, 1, f.plans, "the week is planned once per digest, not per run")
	require.Equal(t, []ListDigestRecipientsInput{{After: "rep019@example.com", Limit: 10}}, f.pages)

	seen := map[string]int{}
	for _, s := range f.sent {
		seen[s.Recipient.Email]++
		require.Equal(t, "2025-W02", s.Plan.Period)
	}
	require.Len(t, seen, 25)
	for email, n := range seen {
		require.Equal(t, 1, n, email)
	}
}

// TestDigestSendsABatchAtOnce: the people of one batch are mailed in
// parallel, and never more than a batch at once: each fake SendDigest
// waits until the whole batch is in flight (or gives up after seconds).
func TestDigestSendsABatchAtOnce(t *testing.T) {
	var mu sync.Mutex
	inFlight, most := 0, 0
	env := newDigestEnvironment(t, &fakeDigestActivities{everyone: people(6)}, func(env *testsuite.TestWorkflowEnvironment) {
		env.OnActivity(SendDigestActivity, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in SendDigestInput) (DigestOutcome, error) {
				mu.Lock()
				inFlight++
				most = max(most, inFlight)
				mu.Unlock()
				deadline := time.Now().Add(5 * time.Second)
				for time.Now().Before(deadline) {
					mu.Lock()
					full := most >= 3
					mu.Unlock()
					if full {
						break
					}
					time.Sleep(5 * time.Millisecond)
				}
				mu.Lock()
				inFlight--
				mu.Unlock()
				return DigestOutcome{Status: DigestSent}, nil
			})
	})
	env.ExecuteWorkflow(DigestWorkflow, DigestInput{PageSize: 10, BatchSize: 3})
	require.NoError(t, env.GetWorkflowError())
	require.Equal(t, 3, most, "a batch of three in flight together, never more")
}

// TestADigestThatFailsForOneStopsNobodyElse: a digest failing for good
// is counted and the run goes on.
func TestADigestThatFailsForOneStopsNobodyElse(t *testing.T) {
	f := &fakeDigestActivities{everyone: people(3), broken: map[string]bool{"rep001@example.com": true}}
	env := newDigestEnvironment(t, f)
	env.ExecuteWorkflow(DigestWorkflow, DigestInput{})
	require.NoError(t, env.GetWorkflowError())
	var result DigestResult
	require.NoError(t, env.GetWorkflowResult(&result))
	require.Equal(t, DigestResult{Period: "2025-W02", Recipients: 3, Sent: 2, Failed: 1}, result)
}

// TestDigestWeekIsTheRunsStart: a manual run (no schedule) plans the week
// of its own start.
func TestDigestWeekIsTheRunsStart(t *testing.T) {
	var at time.Time
	env := newDigestEnvironment(t, &fakeDigestActivities{everyone: people(1)}, func(env *testsuite.TestWorkflowEnvironment) {
		env.OnActivity(PlanDigestActivity, mock.Anything, mock.Anything).Return(
			func(_ context.Context, in PlanDigestInput) (DigestPlan, error) {
				at = in.At
				return DigestPlan{Period: "2025-W02"}, nil
			}).Once()
	})
	start := time.Date(2025, 1, 6, 7, 0, 0, 0, time.UTC)
	env.SetStartTime(start)
	env.ExecuteWorkflow(DigestWorkflow, DigestInput{})
	require.NoError(t, env.GetWorkflowError())
	require.True(t, at.Equal(start), "planned at %s", at)
}
