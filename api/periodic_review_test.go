package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// reviewEveryThreeDays is the default policy with every band reviewed
// every 3 policy days: on a one-second day, a customer approved now is
// due for review three seconds later.
func reviewEveryThreeDays() policy.Policy {
	p := policy.Default()
	p.PeriodicReview.ReviewEveryDays = map[string]int{"A": 3, "B": 3, "C": 3, "D": 3, "E": 3}
	return p
}

// runPeriodicReview runs the workflow the daily Schedule starts, as it
// starts it (no input), and waits for its answer.
func runPeriodicReview(t *testing.T, svc *testenv.Service, id string) workflows.PeriodicReviewProgress {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	run, err := svc.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: svc.TaskQueue},
		workflows.PeriodicReviewWorkflowName)
	require.NoError(t, err)
	var progress workflows.PeriodicReviewProgress
	require.NoError(t, run.Get(ctx, &progress))
	return progress
}

func reviewsOf(t *testing.T, svc *testenv.Service, accountID string) []credit.CreditRequest {
	t.Helper()
	var page struct{ Items []credit.CreditRequest }
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests?account_id="+accountID, testenv.Analyst, nil).JSON(t, &page)
	var out []credit.CreditRequest
	for _, r := range page.Items {
		if r.Kind == credit.KindPeriodicReview {
			out = append(out, r)
		}
	}
	return out
}

func TestPeriodicReviewFromScheduleToHold(t *testing.T) {
	pol := reviewEveryThreeDays()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second, Policy: &pol})

	// Two customers approved at once (band A, 20,000): one disputes an
	// invoice of 15,000, the other has nothing against it.
	disputing := askForPreApproval(t, svc, "20000.00")
	clean := askForPreApproval(t, svc, "20000.00")
	require.Equal(t, credit.StatusApproved, disputing.Status)
	require.Equal(t, credit.StatusApproved, clean.Status)
	inv := issueInvoice(t, svc, disputing.AccountID, "INV-REVIEW-1", "15000.00", 0)
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/disputes", testenv.Rep, map[string]any{
		"reason": "wrong price", "department": "billing", "owner_email": testenv.CreditManager,
	})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))

	var account credit.Account
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+disputing.AccountID, testenv.Rep, nil).JSON(t, &account)
	require.Equal(t, "A", account.Band, "the band of its pre-approval")
	require.NotEmpty(t, account.NextReviewOn)

	// Three policy days after their approval, both are due.
	testenv.Eventually(t, 20*time.Second, "both customers due for review", func() bool {
		states, err := svc.Store.ReviewStates(context.Background(), []string{disputing.AccountID, clean.AccountID})
		require.NoError(t, err)
		for _, st := range states {
			if pol.PeriodicReview.DueAt(st.Band, st.LastReview, time.Second).After(time.Now()) {
				return false
			}
		}
		return len(states) == 2
	})
	first := runPeriodicReview(t, svc, "periodic-review-run-1")
	require.Equal(t, 2, first.Scanned)
	require.Equal(t, 2, first.Due)
	require.Equal(t, 2, first.Started)
	// The Schedule fires again (a retry, an overlapping run): nothing new.
	second := runPeriodicReview(t, svc, "periodic-review-run-2")
	require.Zero(t, second.Started, "%+v", second)

	// The clean customer's review needs nobody: kept, not in the inbox.
	var kept []credit.CreditRequest
	testenv.Eventually(t, 20*time.Second, "the clean review kept", func() bool {
		kept = reviewsOf(t, svc, clean.AccountID)
		return len(kept) == 1 && kept[0].Status == credit.StatusApproved
	})
	require.True(t, kept[0].Decision.Automatic)
	require.Equal(t, "keep", kept[0].Decision.ReviewOutcome)
	require.Equal(t, "20000.00", kept[0].Decision.ApprovedLimit.String())

	// The disputing customer's waits in the inbox with its reasons.
	var review credit.CreditRequest
	testenv.Eventually(t, 20*time.Second, "the review in the inbox", func() bool {
		var inbox struct{ Items []credit.CreditRequest }
		svc.Call(t, http.MethodGet, "/api/v1/credit-requests?status=pending_review", testenv.Analyst, nil).JSON(t, &inbox)
		i := slices.IndexFunc(inbox.Items, func(r credit.CreditRequest) bool { return r.AccountID == disputing.AccountID })
		if i >= 0 {
			review = inbox.Items[i]
		}
		return i >= 0
	})
	require.Len(t, reviewsOf(t, svc, disputing.AccountID), 1, "two runs, one review")
	require.Equal(t, credit.KindPeriodicReview, review.Kind)
	require.Equal(t, "creditflow", review.CreatedBy)
	require.Equal(t, "20000.00", review.RequestedLimit.String(), "the limit under review")
	require.Equal(t, 95, *review.Score)
	require.Equal(t, "A", review.Band)
	require.Contains(t, review.Reasons, "1 dispute opened: -5 points")
	require.Contains(t, review.Reasons, "exposure EUR 15,000.00 against a limit of EUR 20,000.00 (75.00% used): +0 points")
	require.Equal(t, "recommend keeping the limit: band A, with adverse items in the period: a person decides", review.Reasons[len(review.Reasons)-1])

	// An analyst lowers the limit below the exposure: the account goes on
	// hold and its rep hears of it.
	resp = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+review.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve", "approved_limit": eurBody("10000.00"), "reason": "disputes every order",
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var decided credit.CreditRequest
	resp.JSON(t, &decided)
	require.Equal(t, credit.StatusApproved, decided.Status)
	require.Equal(t, "lower", decided.Decision.ReviewOutcome)

	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+disputing.AccountID, testenv.Rep, nil).JSON(t, &account)
	require.Equal(t, credit.AccountOnHold, account.Status)
	require.Equal(t, "10000.00", account.CreditLimit.String())
	require.Equal(t, "A", account.Band)
	_, err := time.Parse(time.DateOnly, account.NextReviewOn)
	require.NoError(t, err, "next_review_on is a date: %q", account.NextReviewOn)

	var told testenv.SentMail
	testenv.Eventually(t, 20*time.Second, "the rep told of the change", func() bool {
		for _, m := range svc.SendGrid.OfKind("request_decided") {
			if m.CustomArgs["request_id"] == review.ID {
				told = m
				return true
			}
		}
		return false
	})
	require.Equal(t, []string{testenv.Rep}, told.To(), "the account's rep, though nobody asked")
	require.Contains(t, told.Text(), "the credit limit is lowered from EUR 20,000.00 to EUR 10,000.00")
	require.Contains(t, told.Text(), "on credit hold from now: its exposure of EUR 15,000.00 is above its credit limit")
	for _, m := range svc.SendGrid.OfKind("request_decided") {
		require.NotEqual(t, kept[0].ID, m.CustomArgs["request_id"], "a limit kept is news to nobody")
	}

	if testenv.RecordHistories {
		ctx := context.Background()
		for _, id := range []string{review.ID, kept[0].ID} {
			require.NoError(t, svc.Temporal.GetWorkflow(ctx, workflows.CreditRequestWorkflowID(id), "").Get(ctx, nil))
		}
		testenv.SaveHistory(t, svc.Temporal, "periodic-review-run-1", "periodic_review_started_two")
		testenv.SaveHistory(t, svc.Temporal, "periodic-review-run-2", "periodic_review_second_run")
		testenv.SaveHistory(t, svc.Temporal, workflows.CreditRequestWorkflowID(review.ID), "credit_request_periodic_review_lowered_hold")
		testenv.SaveHistory(t, svc.Temporal, workflows.CreditRequestWorkflowID(kept[0].ID), "credit_request_periodic_review_kept")
	}
}

func TestPeriodicReviewsAreNotFiled(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	approved := askForPreApproval(t, svc, "20000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, map[string]any{
		"kind": "periodic_review", "account_id": approved.AccountID, "requested_limit": eurBody("20000.00"),
	})
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, string(resp.Body))
	require.True(t, strings.Contains(string(resp.Body), `"kind"`), string(resp.Body))

	// A hold decides a periodic review only.
	pending := askForPreApproval(t, svc, "50000.00")
	resp = svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+pending.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "hold", "reason": "no",
	})
	require.Equal(t, http.StatusUnprocessableEntity, resp.Status, string(resp.Body))
	require.Contains(t, string(resp.Body), "periodic_review only")
}
