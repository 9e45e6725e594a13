package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// campaignAccount is an active EUR account of rep with a 10,000 limit and
// a record that scores band B: an increase to 30,000 waits for credit.
func campaignAccount(t *testing.T, svc *testenv.Service, rep string) string {
	t.Helper()
	id := store.NewID("acc")
	_, err := svc.Store.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep,
		annual_revenue, years_in_business, trade_references) VALUES ($1, 'Campaign Customer', $2, 'active', 'EUR', 1000000, $3, 100000000, 6, 1)`,
		id, billing, rep)
	require.NoError(t, err)
	return id
}

func batchLine(accountID, amount string) map[string]any {
	return map[string]any{"account_id": accountID, "requested_limit": eurBody(amount), "reason": "spring campaign"}
}

// TestACampaignBatchFilesOneIncreasePerAccountOfTheRep: the rep's accounts
// are filed, another rep's account is refused, a bad line is invalid by
// its field; the same batch again files nothing twice, also when its
// first answer was lost; the inbox filters by the campaign.
func TestACampaignBatchFilesOneIncreasePerAccountOfTheRep(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	mine1, mine2, mine3 := campaignAccount(t, svc, testenv.Rep), campaignAccount(t, svc, testenv.Rep), campaignAccount(t, svc, testenv.Rep)
	theirs := campaignAccount(t, svc, testenv.OtherRep)
	body := map[string]any{"campaign": "spring-2025", "accounts": []any{
		batchLine(mine1, "30000.00"), batchLine(theirs, "30000.00"), batchLine(mine2, "30000.00"),
		batchLine(mine3, "5000.00"), batchLine("acc_nobody", "30000.00"), batchLine(mine1, "40000.00"),
	}}
	file := func() (testenv.Response, api.CreditRequestBatchReport) {
		resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/batch", testenv.Rep, body, "Idempotency-Key", "spring-batch-1")
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		var report api.CreditRequestBatchReport
		resp.JSON(t, &report)
		return resp, report
	}
	_, report := file()
	require.Equal(t, "spring-2025", report.Campaign)
	require.Equal(t, []int{2, 3, 1}, []int{report.Filed, report.Invalid, report.Refused}, "%+v", report.Lines)
	statuses := make([]string, len(report.Lines))
	for k, l := range report.Lines {
		require.Equal(t, k+1, l.Line)
		statuses[k] = l.Status
	}
	require.Equal(t, []string{"filed", "refused", "filed", "invalid", "invalid", "invalid"}, statuses)
	require.Contains(t, report.Lines[1].Detail, "sales rep")
	require.Equal(t, "accounts[3].requested_limit.amount", report.Lines[3].Errors[0].Field)
	require.Equal(t, "accounts[4].account_id", report.Lines[4].Errors[0].Field)
	require.Equal(t, "accounts[5].account_id", report.Lines[5].Errors[0].Field, "an account listed twice")

	var r credit.CreditRequest
	resp := svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+report.Lines[0].RequestID, testenv.Analyst, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &r)
	require.Equal(t, "spring-2025", r.Campaign)
	require.Equal(t, credit.KindLimitIncrease, r.Kind)
	require.Equal(t, mine1, r.AccountID)
	require.Equal(t, testenv.Rep, r.CreatedBy)

	filed := func() int {
		var n int
		require.NoError(t, svc.Store.Pool.QueryRow(context.Background(),
			`SELECT count(*) FROM credit_requests WHERE campaign = 'spring-2025'`).Scan(&n))
		return n
	}
	again, replayed := file()
	require.Equal(t, "true", again.Header.Get("Idempotent-Replayed"))
	require.Equal(t, report, replayed)
	// The first answer lost (a 503 releases the key): the batch runs again
	// and finds the requests it filed.
	_, err := svc.Store.Pool.Exec(context.Background(), `DELETE FROM idempotency_keys WHERE key = 'spring-batch-1'`)
	require.NoError(t, err)
	_, rerun := file()
	require.Equal(t, report.Lines[0].RequestID, rerun.Lines[0].RequestID)
	require.Equal(t, report.Lines[2].RequestID, rerun.Lines[2].RequestID)
	require.Equal(t, 2, filed(), "nothing filed twice")
	var workflows int
	require.NoError(t, svc.Store.Pool.QueryRow(context.Background(),
		`SELECT count(*) FROM timeline WHERE account_id = $1 AND kind = 'credit_request_created'`, mine1).Scan(&workflows))
	require.Equal(t, 1, workflows)

	// Another campaign's request stays out of this campaign's inbox.
	single := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, map[string]any{
		"kind": "limit_increase", "account_id": mine3, "requested_limit": eurBody("30000.00"), "campaign": "autumn-2025",
	})
	require.Equal(t, http.StatusAccepted, single.Status, string(single.Body))
	var inbox struct{ Items []credit.CreditRequest }
	testenv.Eventually(t, 20*time.Second, "the campaign's requests in the inbox", func() bool {
		resp := svc.Call(t, http.MethodGet, "/api/v1/credit-requests?status=pending_review&campaign=spring-2025", testenv.Analyst, nil)
		inbox.Items = nil
		resp.JSON(t, &inbox)
		return len(inbox.Items) == 2
	})
	for _, it := range inbox.Items {
		require.Equal(t, "spring-2025", it.Campaign)
		require.Equal(t, credit.StatusPendingReview, it.Status)
	}
}

// TestCampaignBatchesRefuseBadInput: the key is required, the campaign one
// short line, at most 500 accounts; a pre-approval carries no campaign.
func TestCampaignBatchesRefuseBadInput(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := campaignAccount(t, svc, testenv.Rep)
	base := map[string]any{"campaign": "spring", "accounts": []any{batchLine(account, "30000.00")}}
	many := make([]any, 501)
	for k := range many {
		many[k] = batchLine(account, "30000.00")
	}
	post := func(body any, headers ...string) testenv.Response {
		return svc.Call(t, http.MethodPost, "/api/v1/credit-requests/batch", testenv.Rep, body, headers...)
	}
	requireBadInput(t, post(base), badInput{name: "no Idempotency-Key", status: http.StatusBadRequest, fields: []string{"Idempotency-Key"}})
	for k, c := range []badInput{
		{name: "no campaign", body: with(t, base, "campaign", deleteField), fields: []string{"campaign"}},
		{name: "empty campaign", body: with(t, base, "campaign", ""), fields: []string{"campaign"}},
		{name: "blank campaign", body: with(t, base, "campaign", "   "), fields: []string{"campaign"}},
		{name: "two-line campaign", body: with(t, base, "campaign", "spring\nsale"), fields: []string{"campaign"}},
		{name: "65-character campaign", body: with(t, base, "campaign", strings.Repeat("c", 65)), fields: []string{"campaign"}},
		{name: "no accounts", body: with(t, base, "accounts", []any{}), fields: []string{"accounts"}},
		{name: "501 accounts", body: with(t, base, "accounts", many), fields: []string{"accounts"}},
		{name: "a line without its limit", body: with(t, base, "accounts", []any{map[string]any{"account_id": account}}), fields: []string{"accounts[0].requested_limit"}},
		{name: "a line with a float", body: with(t, base, "accounts", []any{map[string]any{"account_id": account, "requested_limit": map[string]any{"amount": 5.5, "currency": "EUR"}}}),
			fields: []string{"accounts[0].requested_limit.amount"}},
	} {
		requireBadInput(t, post(c.body, "Idempotency-Key", "bad-"+string(rune('a'+k))), c)
	}
	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests/batch", testenv.Analyst, base, "Idempotency-Key", "x"),
		http.StatusForbidden, "only sales files")

	pre := preApproval("50000.00")
	pre["campaign"] = "spring"
	p := requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, pre), http.StatusUnprocessableEntity, "a pre-approval in a campaign")
	require.Equal(t, "campaign", p.Errors[0].Field)
	p = requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, map[string]any{
		"kind": "limit_increase", "account_id": account, "requested_limit": eurBody("30000.00"), "campaign": "two\nlines",
	}), http.StatusUnprocessableEntity, "a two-line campaign")
	require.Equal(t, "campaign", p.Errors[0].Field)
}
