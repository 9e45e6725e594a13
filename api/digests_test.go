package api_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// runDigest posts /digests/run as the admin and waits for its workflow.
func runDigest(t *testing.T, svc *testenv.Service) (api.DigestRun, workflows.DigestResult) {
	t.Helper()
	resp := svc.Call(t, http.MethodPost, "/api/v1/digests/run", testenv.Admin, map[string]any{})
	require.Equal(t, http.StatusAccepted, resp.Status, string(resp.Body))
	var run api.DigestRun
	resp.JSON(t, &run)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var result workflows.DigestResult
	require.NoError(t, svc.Temporal.GetWorkflow(ctx, run.WorkflowID, "").Get(ctx, &result))
	return run, result
}

func digestTo(t *testing.T, svc *testenv.Service, to string) []testenv.SentMail {
	t.Helper()
	var out []testenv.SentMail
	for _, m := range svc.SendGrid.OfKind(email.KindWeeklyDigest) {
		if strings.Join(m.To(), ",") == to {
			out = append(out, m)
		}
	}
	return out
}

// TestWeeklyDigestListsARepsHoldsAndOnlyTheirs: the rep with an account
// on hold gets a digest listing it (why, since when, a desk link); the
// other rep's account is in the other rep's digest only; a rep with
// nothing gets nothing; the credit manager sees both holds. Run again
// the same week, nobody gets a second one.
func TestWeeklyDigestListsARepsHoldsAndOnlyTheirs(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	mine := testenv.AccountOnHold(t, svc.Store, testenv.Rep, "Riley Hold Works", 40)
	theirs := testenv.AccountOnHold(t, svc.Store, testenv.OtherRep, "Robin Late Traders", 35)

	run, result := runDigest(t, svc)
	require.Equal(t, []string{testenv.CreditManager, testenv.OtherRep, testenv.Rep, testenv.SalesManager}, run.RecipientEmails, "by email, bytewise")
	require.Equal(t, 4, run.Recipients)
	require.Equal(t, 4, result.Recipients)
	require.Equal(t, 3, result.Sent, "the reps with a hold and the credit manager")
	require.Equal(t, 1, result.Empty, "the sales manager has nothing to report")
	require.Regexp(t, `^\d{4}-W\d{2}$`, result.Period)

	got := digestTo(t, svc, testenv.Rep)
	require.Len(t, got, 1)
	text := got[0].Text()
	require.Contains(t, got[0].Subject, "1 on hold")
	require.Contains(t, text, "Riley Hold Works: invoice INV-Ril unpaid 40 days after its due date")
	require.Contains(t, text, "days)", "since when")
	require.Contains(t, text, svc.URL+"/desk/accounts/"+mine)
	require.NotContains(t, text, "Robin Late Traders", "a rep never sees another rep's accounts")
	require.NotContains(t, text, theirs)
	require.Equal(t, []string{"creditflow", email.KindWeeklyDigest}, got[0].Categories)
	require.Equal(t, workflows.DigestKey(result.Period, testenv.Rep), got[0].CustomArgs["email_key"])
	require.Contains(t, got[0].Content[1].Value, `href="`+svc.URL+"/desk/accounts/"+mine+`"`, "the HTML links into the desk")

	other := digestTo(t, svc, testenv.OtherRep)
	require.Len(t, other, 1)
	require.Contains(t, other[0].Text(), "Robin Late Traders")
	require.NotContains(t, other[0].Text(), "Riley Hold Works")

	require.Empty(t, digestTo(t, svc, testenv.SalesManager), "nobody gets an empty digest")

	manager := digestTo(t, svc, testenv.CreditManager)
	require.Len(t, manager, 1)
	for _, s := range []string{"Accounts on hold (2)", "Riley Hold Works", "Robin Late Traders", "Overdue accounts, the most overdue first (2)"} {
		require.Contains(t, manager[0].Text(), s)
	}

	// Again the same week: the outbox keys are the week's.
	sent := len(svc.SendGrid.OfKind(email.KindWeeklyDigest))
	_, again := runDigest(t, svc)
	require.Equal(t, result.Period, again.Period)
	require.Equal(t, 3, again.Sent, "found sent")
	require.Len(t, svc.SendGrid.OfKind(email.KindWeeklyDigest), sent, "nobody gets a second digest this week")
}

// TestWeeklyDigestScale seeds 10,000 accounts over 200 reps and times
// one digest run on the dev server. It takes minutes, so it runs only
// when asked:
//
//	CREDITFLOW_DIGEST_SCALE=1 go test ./api -run TestWeeklyDigestScale -v
func TestWeeklyDigestScale(t *testing.T) {
	if os.Getenv("CREDITFLOW_DIGEST_SCALE") == "" {
		t.Skip("set CREDITFLOW_DIGEST_SCALE=1 to time a digest of 10,000 accounts and 200 reps")
	}
	svc := testenv.StartService(t, testenv.Options{})
	seeded := time.Now()
	testenv.SeedPortfolio(t, svc.Store, 200, 10000)
	t.Logf("seeded 10,000 accounts over 200 reps in %s", time.Since(seeded).Round(time.Millisecond))

	started := time.Now()
	run, result := runDigest(t, svc)
	took := time.Since(started)
	t.Logf("digest %s: %d recipients, %d sent, %d empty, %d failed in %s", result.Period, result.Recipients,
		result.Sent, result.Empty, result.Failed, took.Round(time.Millisecond))
	require.Equal(t, 204, run.Recipients, "200 reps, the service's 3 reps and its credit manager")
	require.Zero(t, result.Failed)
	require.Equal(t, 201, result.Sent, "every seeded rep and the credit manager")
	require.Len(t, svc.SendGrid.OfKind(email.KindWeeklyDigest), 201)

	// No giant history: the runs, each of a bounded length.
	ctx := context.Background()
	d, err := svc.Temporal.DescribeWorkflowExecution(ctx, run.WorkflowID, "")
	require.NoError(t, err)
	var lengths []int
	for runID := d.GetWorkflowExecutionInfo().GetFirstRunId(); runID != ""; {
		iter := svc.Temporal.GetWorkflowHistory(ctx, run.WorkflowID, runID, false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
		events, next := 0, ""
		for iter.HasNext() {
			e, err := iter.Next()
			require.NoError(t, err)
			events++
			next = e.GetWorkflowExecutionContinuedAsNewEventAttributes().GetNewExecutionRunId()
		}
		lengths, runID = append(lengths, events), next
	}
	t.Logf("%d runs of %v events", len(lengths), lengths)
	require.Len(t, lengths, 3, "continued as new after each 100 recipients")
	for _, n := range lengths {
		require.Less(t, n, 1000)
	}
}

// TestRecordDigestHistories records the histories of a digest that
// continues as new, for workflows/replay_test.go. Run it deliberately:
//
//	CREDITFLOW_RECORD_HISTORIES=1 go test ./api -run TestRecordDigestHistories
func TestRecordDigestHistories(t *testing.T) {
	if !testenv.RecordHistories {
		t.Skip("set CREDITFLOW_RECORD_HISTORIES=1 to re-record workflows/testdata")
	}
	svc := testenv.StartService(t, testenv.Options{})
	testenv.AccountOnHold(t, svc.Store, testenv.Rep, "Recorded Holdings", 40)
	ctx := context.Background()
	// Four recipients, pages of 3, batches of 2, a new run after 3: both
	// shapes of a run (continued as new, completed) with few events.
	wr, err := svc.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.ManualDigestWorkflowID("recorded"), TaskQueue: svc.TaskQueue},
		workflows.DigestWorkflowName, workflows.DigestInput{PageSize: 3, BatchSize: 2, RunLimit: 3})
	require.NoError(t, err)
	var result workflows.DigestResult
	require.NoError(t, svc.Temporal.GetWorkflow(ctx, wr.GetID(), "").Get(ctx, &result))
	require.Equal(t, 4, result.Recipients)
	testenv.SaveRunHistory(t, svc.Temporal, wr.GetID(), wr.GetRunID(), "digest_continued_as_new")
	testenv.SaveHistory(t, svc.Temporal, wr.GetID(), "digest_completed")
}
