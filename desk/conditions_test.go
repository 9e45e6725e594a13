package desk_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// TestAnalystMarksADepositReceivedOnTheRequestPage: approved with a
// deposit, the request's page lists it pending; the analyst marks it met
// with a note (none: the API's word shows), and the account's orders may
// ship.
func TestAnalystMarksADepositReceivedOnTheRequestPage(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "50000.00")
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Analyst, map[string]any{
		"outcome": "approve_with_conditions", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		"conditions": []any{map[string]any{"type": "deposit", "amount": map[string]any{"amount": "5000.00", "currency": "EUR"}}},
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.visit("/desk/requests/" + r.ID)
	b.seePage("Credit request: " + r.Company)
	b.see("the deposit of EUR 5,000.00: pending")
	b.screenshot("conditions")
	b.press("Mark met")
	b.see("note: is required")
	b.typeInto("How it was met (or why waived)", "received on our account, bank ref 4471")
	b.press("Mark met")
	b.see("The condition is settled.")
	b.see("the deposit of EUR 5,000.00: met")
	b.see("received on our account, bank ref 4471")

	check := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+r.AccountID+"/credit-checks", testenv.Rep,
		map[string]any{"amount": map[string]any{"amount": "100.00", "currency": "EUR"}})
	require.Equal(t, http.StatusOK, check.Status, string(check.Body))
	var c credit.CreditCheck
	check.JSON(t, &c)
	require.True(t, c.Approved, c.Reason)
}
