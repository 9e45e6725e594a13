package workflows

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sort"
	"testing"
	"time"

	"github.com/stretchr/testify/mock"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/converter"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"
)

// customerBase fakes the two sides of a review run: the customers the
// store lists, a page at a time, and Temporal refusing to start a
// workflow id twice.
type customerBase struct {
	ids     []string // in id order, as the store lists them
	due     func(i int) bool
	started map[string]bool // workflow ids Temporal has started
	asOf    []time.Time     // the moment each page was listed as of
}

func newCustomerBase(n int, due func(i int) bool) *customerBase {
	b := &customerBase{due: due, started: map[string]bool{}}
	for i := range n {
		b.ids = append(b.ids, fmt.Sprintf("acc_%06d", i))
	}
	return b
}

func (b *customerBase) list(_ context.Context, in ListDueReviewsInput) (DueReviews, error) {
	b.asOf = append(b.asOf, in.AsOf)
	from := sort.Search(len(b.ids), func(i int) bool { return b.ids[i] > in.After })
	to := min(from+in.Limit, len(b.ids))
	page := DueReviews{Scanned: to - from, Due: []DueReview{}}
	for i := from; i < to; i++ {
		if b.due(i) {
			page.Due = append(page.Due, DueReview{AccountID: b.ids[i], Band: "C", EveryDays: 90, DueDay: 20148, CreditLimit: eur("20000")})
		}
	}
	if to-from == in.Limit {
		page.Next = b.ids[to-1]
	}
	return page, nil
}

func (b *customerBase) start(_ context.Context, in StartPeriodicReviewsInput) (StartedReviews, error) {
	var out StartedReviews
	for _, d := range in.Reviews {
		id := CreditRequestWorkflowID(PeriodicReviewRequest(d, time.Now()).ID)
		if b.started[id] {
			out.AlreadyStarted++
			continue
		}
		b.started[id] = true
		out.Started++
	}
	return out, nil
}

// run runs one PeriodicReviewWorkflow against the base: its result, or
// the input it continued as new with.
func (b *customerBase) run(t *testing.T, in PeriodicReviewInput) (PeriodicReviewProgress, *PeriodicReviewInput) {
	t.Helper()
	var ts testsuite.WorkflowTestSuite
	ts.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(io.Discard, nil))))
	env := ts.NewTestWorkflowEnvironment()
	registerActivityStubs(env)
	env.OnActivity(ListDueReviewsActivity, mock.Anything, mock.Anything).Return(b.list)
	env.OnActivity(StartPeriodicReviewsActivity, mock.Anything, mock.Anything).Return(b.start)
	env.ExecuteWorkflow(PeriodicReviewWorkflow, in)
	require.True(t, env.IsWorkflowCompleted())

	var continued *workflow.ContinueAsNewError
	if err := env.GetWorkflowError(); errors.As(err, &continued) {
		require.Equal(t, PeriodicReviewWorkflowName, continued.WorkflowType.Name)
		var next PeriodicReviewInput
		require.NoError(t, converter.GetDefaultDataConverter().FromPayloads(continued.Input, &next))
		return next.Progress, &next
	}
	require.NoError(t, env.GetWorkflowError())
	var progress PeriodicReviewProgress
	require.NoError(t, env.GetWorkflowResult(&progress))
	return progress, nil
}

func TestPeriodicReviewStartsEachDueCustomerOnceAcrossRuns(t *testing.T) {
	// 1,250 customers, every third due: three pages.
	base := newCustomerBase(1250, func(i int) bool { return i%3 == 0 })
	first, continued := base.run(t, PeriodicReviewInput{})
	require.Nil(t, continued)
	require.Equal(t, PeriodicReviewProgress{Scanned: 1250, Due: 417, Started: 417}, first)
	require.Len(t, base.asOf, 3, "500 + 500 + 250")
	require.Equal(t, base.asOf[0], base.asOf[2], "every page is read as of the run's start")
	require.Len(t, base.started, 417)

	// The schedule fires again (a retry, or the next day while the
	// reviews wait): the same ids, nothing started twice.
	second, _ := base.run(t, PeriodicReviewInput{})
	require.Equal(t, PeriodicReviewProgress{Scanned: 1250, Due: 417, AlreadyStarted: 417}, second)
	require.Len(t, base.started, 417)
}

func TestPeriodicReviewOfTenThousandCustomersContinuesAsNew(t *testing.T) {
	base := newCustomerBase(10_400, func(i int) bool { return i%2 == 0 })
	progress, continued := base.run(t, PeriodicReviewInput{})
	require.NotNil(t, continued, "twenty pages, then a fresh history")
	require.Equal(t, PeriodicReviewProgress{Scanned: 10_000, Due: 5_000, Started: 5_000}, progress)
	require.Equal(t, base.ids[9_999], continued.After)
	require.NotNil(t, continued.AsOf)
	require.True(t, continued.AsOf.Equal(base.asOf[0]), "the continued run reviews as of the same moment")

	progress, again := base.run(t, *continued)
	require.Nil(t, again)
	require.Equal(t, PeriodicReviewProgress{Scanned: 10_400, Due: 5_200, Started: 5_200}, progress)
	require.True(t, base.asOf[len(base.asOf)-1].Equal(base.asOf[0]))
	require.Len(t, base.started, 5_200)
}

func TestPeriodicReviewIdIsTheAccountAndTheDayItFellDue(t *testing.T) {
	due := DueReview{AccountID: "acc_1", Band: "B", EveryDays: 180, DueDay: 20148, CreditLimit: eur("20000")}
	monday := PeriodicReviewRequest(due, time.Date(2025, 3, 3, 7, 0, 0, 0, time.UTC))
	tuesday := PeriodicReviewRequest(due, time.Date(2025, 3, 4, 7, 0, 0, 0, time.UTC))
	require.Equal(t, monday.ID, tuesday.ID, "the next day's run finds the review it started")
	require.Equal(t, KindPeriodicReview, monday.Kind)
	require.Equal(t, ReviewedBy, monday.CreatedBy)
	require.Equal(t, eur("20000"), monday.RequestedLimit, "the limit under review")

	due.DueDay += 180
	require.NotEqual(t, monday.ID, PeriodicReviewRequest(due, time.Now()).ID, "the next cycle is another review")
	due.AccountID = "acc_2"
	due.DueDay -= 180
	require.NotEqual(t, monday.ID, PeriodicReviewRequest(due, time.Now()).ID)
}
