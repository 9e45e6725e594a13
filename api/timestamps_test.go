package api_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
)

// One instant, one value: what a POST answers is what a later GET reads
// back from Postgres (microseconds), not a finer clock reading.
func TestCreatedAtIsTheSameInTheAnswerAndLater(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	posted := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, preApproval("50000.00")).Map(t)
	read := svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+posted["id"].(string), testenv.Rep, nil).Map(t)
	require.Equal(t, posted["created_at"], read["created_at"])

	accountID := newAccount(t, svc, 100000, 0)
	issued := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": accountID, "number": "T-1", "amount": eurBody("100.00"), "issue_date": daysAgo(1),
	}).Map(t)
	got := svc.Call(t, http.MethodGet, "/api/v1/invoices/"+issued["id"].(string), testenv.Analyst, nil).Map(t)
	require.Equal(t, issued["created_at"], got["created_at"])
}
