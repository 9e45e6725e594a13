package activities_test

import (
	"context"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/worker"
	"github.com/creditflow/creditflow/workflows"
)

// TestPeriodicReviewOfTenThousandCustomers measures a review run over
// 10,000 customers all due, on the dev server and Postgres: how long it
// takes, and that no run's history grows with the customer base. The
// reviews are started on a queue nobody polls, so the figure is the run's
// own. It takes a while on a laptop; run it deliberately:
//
//	CREDITFLOW_SCALE=1 go test ./activities -run TestPeriodicReviewOfTenThousandCustomers -v
func TestPeriodicReviewOfTenThousandCustomers(t *testing.T) {
	if os.Getenv("CREDITFLOW_SCALE") == "" {
		t.Skip("set CREDITFLOW_SCALE=1 to measure a review run over 10,000 customers")
	}
	const customers = 10_000
	_, st := testenv.Database(t)
	ctx := context.Background()
	_, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep, created_at)
		SELECT 'acc_' || lpad(n::text, 6, '0'), 'Customer ' || n, 'ap@example.com', 'active', 'EUR', 2000000,
			'rep' || (n % 200) || '@example.com', now() - interval '400 days'
		FROM generate_series(1, $1) n`, customers)
	require.NoError(t, err)
	_, err = st.Pool.Exec(ctx, `INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, status, band, created_at, decided_at)
		SELECT 'cr_' || a.id, 'pre_approval', a.id, a.sales_rep, 2000000, 'EUR', 'approved', (ARRAY['A','B','C','D','E'])[1 + n % 5],
			now() - interval '400 days', now() - interval '370 days'
		FROM (SELECT id, sales_rep, row_number() OVER (ORDER BY id) n FROM accounts) a`)
	require.NoError(t, err)

	tc := testenv.Temporal(t)
	queue := "review-scale-" + strings.ToLower(rand.Text()[:8])
	w := worker.New(tc, queue, &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour,
		Temporal: tc, TaskQueue: queue + "-nobody-polls"}, worker.Limits{})
	require.NoError(t, w.Start())
	defer w.Stop()

	began := time.Now()
	run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: queue, TaskQueue: queue}, workflows.PeriodicReviewWorkflowName)
	require.NoError(t, err)
	var progress workflows.PeriodicReviewProgress
	require.NoError(t, run.Get(ctx, &progress))
	took := time.Since(began)
	require.Equal(t, workflows.PeriodicReviewProgress{Scanned: customers, Due: customers, Started: customers}, progress)

	// Every run of the chain: its history's length.
	runs, err := tc.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Query: "WorkflowId = '" + queue + "'"})
	require.NoError(t, err)
	longest := 0
	for _, e := range runs.Executions {
		iter := tc.GetWorkflowHistory(ctx, queue, e.Execution.RunId, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		n := 0
		for iter.HasNext() {
			_, err := iter.Next()
			require.NoError(t, err)
			n++
		}
		longest = max(longest, n)
	}
	// Twenty pages of two activities each (about 12 events a page), then a
	// fresh history: bounded by the pages per run, not by the customers.
	require.Less(t, longest, 300, "a run's history does not grow with the customers")
	t.Logf("%d customers due: %d reviews started in %s over %d runs; the longest history has %d events",
		customers, progress.Started, took.Round(100*time.Millisecond), len(runs.Executions), longest)
}
