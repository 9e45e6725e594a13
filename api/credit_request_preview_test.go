package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

const previewPath = "/api/v1/credit-requests/preview"

// A preview answers what the filed request then gets, and files nothing:
// no request, no account, no workflow, no email.
func TestAPreviewAnswersWhatTheFiledRequestGetsAndCreatesNothing(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	declined := preApproval("20000.00")
	declined["prospect"].(map[string]any)["years_in_business"] = 0
	declined["prospect"].(map[string]any)["trade_references"] = 0
	declined["prospect"].(map[string]any)["annual_revenue"] = map[string]any{"amount": "90000.00", "currency": "EUR"}
	cases := []struct {
		name    string
		body    map[string]any
		outcome string
		status  string
	}{
		{"within the ceiling", preApproval("20000.00"), policy.OutcomeApprove, credit.StatusApproved},
		{"above the ceiling", preApproval("50000.00"), policy.OutcomeReview, credit.StatusPendingReview},
		{"a young small company", declined, policy.OutcomeDecline, credit.StatusDeclined},
	}
	previews := make([]api.CreditRequestPreview, len(cases))
	for i, c := range cases {
		// Twice with one Idempotency-Key: a preview is answered afresh,
		// never replayed, and leaves the key free for the filing.
		for range 2 {
			resp := svc.Call(t, http.MethodPost, previewPath, testenv.Rep, c.body, "Idempotency-Key", "deal-"+c.name)
			require.Equal(t, http.StatusOK, resp.Status, "%s: %s", c.name, resp.Body)
			require.Empty(t, resp.Header.Get("Idempotent-Replayed"), c.name)
			resp.JSON(t, &previews[i])
			require.Equal(t, c.outcome, previews[i].Outcome, "%s: %v", c.name, previews[i].Reasons)
		}
	}

	ctx := context.Background()
	count := func(table string) int {
		var n int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n))
		return n
	}
	require.Zero(t, count("credit_requests"), "a preview files no request")
	require.Zero(t, count("accounts"), "a preview opens no prospect account")
	require.Zero(t, svc.SendGrid.Attempts(), "a preview mails nobody")

	for i, c := range cases {
		resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, c.body, "Idempotency-Key", "deal-"+c.name)
		require.Equal(t, http.StatusAccepted, resp.Status, "%s: the previewed key files the request: %s", c.name, resp.Body)
		var r credit.CreditRequest
		resp.JSON(t, &r)
		testenv.Eventually(t, 15*time.Second, c.name+": decided or waiting", func() bool {
			svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Rep, nil).JSON(t, &r)
			return r.Status != credit.StatusScoring
		})
		p := previews[i]
		require.Equal(t, c.status, r.Status, c.name)
		require.Equal(t, p.Points, *r.Score, c.name)
		require.Equal(t, p.Band, r.Band, c.name)
		require.Equal(t, p.Reasons, r.Reasons, c.name)
		require.Equal(t, p.RecommendedLimit, *r.RecommendedLimit, c.name)
	}

	// The filed requests' workflows are all this service started (every
	// workflow of a person's request runs on the interactive lane): the
	// previews started none.
	started := func() int64 {
		n, err := svc.Temporal.CountWorkflow(ctx, &workflowservice.CountWorkflowExecutionsRequest{
			Query: "TaskQueue = '" + workflows.InteractiveTaskQueue(svc.TaskQueue) + "' OR TaskQueue = '" + svc.TaskQueue + "'",
		})
		require.NoError(t, err)
		return n.GetCount()
	}
	testenv.Eventually(t, 15*time.Second, "the filed requests' workflows listed", func() bool {
		return started() >= int64(len(cases))
	})
	require.Equal(t, int64(len(cases)), started())
	require.Equal(t, len(cases), count("credit_requests"))
}

// A preview is refused as the filing would be: the same problems naming
// the same fields, and the same conflict for a company with an account.
func TestAPreviewRefusesWhatTheFilingRefuses(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	base := preApproval("50000.00")
	taken := preApproval("20000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, taken)
	require.Equal(t, http.StatusAccepted, resp.Status, string(resp.Body))

	for _, c := range []struct {
		name   string
		body   any
		status int
	}{
		{"empty object", `{}`, http.StatusUnprocessableEntity},
		{"no prospect.name", with(t, base, "prospect.name", deleteField), http.StatusUnprocessableEntity},
		{"blank prospect.name", with(t, base, "prospect.name", "  "), http.StatusUnprocessableEntity},
		{"amount is a float", with(t, base, "requested_limit.amount", 50000.5), http.StatusUnprocessableEntity},
		{"amount is zero", with(t, base, "requested_limit.amount", "0.00"), http.StatusUnprocessableEntity},
		{"revenue in another currency", with(t, base, "prospect.annual_revenue.currency", "USD"), http.StatusUnprocessableEntity},
		{"unknown time zone", with(t, base, "prospect.time_zone", "Mars/Olympus_Mons"), http.StatusUnprocessableEntity},
		{"unknown field", with(t, base, "colour", "blue"), http.StatusUnprocessableEntity},
		{"not JSON", `{"kind": `, http.StatusBadRequest},
		{"a company with an account", taken, http.StatusConflict},
	} {
		filing := requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, c.body), c.status, c.name)
		preview := requireProblemStatus(t, svc.Call(t, http.MethodPost, previewPath, testenv.Rep, c.body), c.status, c.name)
		require.Equal(t, filing.Errors, preview.Errors, c.name)
		require.Equal(t, filing.Detail, preview.Detail, c.name)
	}

	// A limit increase is scored on its account's payment history when
	// filed; the preview says so on the field.
	increase := map[string]any{"kind": "limit_increase", "account_id": "acc_x",
		"requested_limit": map[string]any{"amount": "90000.00", "currency": "EUR"}}
	p := requireProblemStatus(t, svc.Call(t, http.MethodPost, previewPath, testenv.Rep, increase), http.StatusUnprocessableEntity)
	require.Equal(t, []api.FieldProblem{{Field: "kind", Detail: "a preview scores a pre_approval"}}, p.Errors)

	// Sales only, and only with a token.
	requireProblemStatus(t, svc.Call(t, http.MethodPost, previewPath, "", base), http.StatusUnauthorized)
	for _, who := range []string{testenv.Analyst, testenv.CreditManager, testenv.Admin} {
		p := requireProblemStatus(t, svc.Call(t, http.MethodPost, previewPath, who, base), http.StatusForbidden, who)
		require.Contains(t, p.Detail, "allowed: sales", who)
	}
}
