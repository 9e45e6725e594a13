package desk_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// activeAccount inserts an active customer of rep with a limit of EUR
// 50,000.00 and nothing owed.
func activeAccount(t *testing.T, svc *testenv.Service, rep, name string) string {
	t.Helper()
	id := store.NewID("acc")
	_, err := svc.Store.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, $2, 'ap@customer.example', 'active', 'EUR', 5000000, $3)`, id, name, rep)
	require.NoError(t, err)
	return id
}

// TestAnalystHoldsAnAccountByHandAndReleasesIt: on the account's page an
// analyst puts an active account on hold with a reason (none: the API's
// word shows by the field), sees the hold with who placed it, and
// releases it with a reason.
func TestAnalystHoldsAnAccountByHandAndReleasesIt(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := activeAccount(t, svc, testenv.Rep, "Larkspur Textiles SA")

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.visit("/desk/accounts/" + account)
	b.seePage("Account: Larkspur Textiles SA")
	b.see("No credit holds.")
	b.run("see no release yet", chromedp.WaitNotPresent(buttonNamed("Release the holds")))

	b.press("Put on hold")
	b.see("reason: must have at least 1 characters")
	b.run("the reason field says what is wrong", chromedp.WaitVisible(
		`//textarea[@aria-invalid="true" and contains(@aria-describedby, "f-hold_reason-error")]`))
	b.typeInto("Why hold the account", "the customer's bank returned two direct debits")
	b.press("Put on hold")
	b.see("The account is on hold; its sales rep is told.")
	b.see("on hold")
	b.see("manual")
	b.see("the customer's bank returned two direct debits")
	b.see(testenv.Analyst) // who placed it
	b.screenshot("account-holds")

	b.typeInto("Why release them", "paid by bank transfer")
	b.press("Release the holds")
	b.see("The account's holds are released.")
	b.see("No credit holds.")
	b.see("paid by bank transfer") // the timeline

	a, err := svc.Store.Account(context.Background(), account)
	require.NoError(t, err)
	require.Equal(t, credit.AccountActive, a.Status)

	// Held again; a credit manager releases it while the page is open:
	// the analyst's release is the API's conflict, said on the page.
	b.typeInto("Why hold the account", "cheque bounced")
	b.press("Put on hold")
	b.see("cheque bounced")
	resp := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+account+"/holds/release", testenv.CreditManager,
		map[string]any{"reason": "the cheque cleared on the second try"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	b.typeInto("Why release them", "paid in cash")
	b.press("Release the holds")
	b.see("Conflict with the current state: the account has no hold to release")
	b.see("No credit holds.")
}

// TestOnlyCreditSeesTheHoldControls: everybody who reads the account sees
// its holds; only credit and credit managers get the forms, and a form
// posted by anyone else is the API's refusal.
func TestOnlyCreditSeesTheHoldControls(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := testenv.AccountOnHold(t, svc.Store, testenv.Rep, "Harbour Mills GmbH", 40)

	for _, tc := range []struct {
		user     string
		controls bool
	}{
		{testenv.Rep, false},
		{testenv.Admin, false},
		{testenv.Analyst, true},
		{testenv.CreditManager, true},
	} {
		c := signedInClient(t, svc, tc.user)
		status, page := c.get("/desk/accounts/" + account)
		require.Equal(t, http.StatusOK, status, tc.user)
		require.Contains(t, page, "Credit holds", tc.user)
		require.Contains(t, page, "invoice", tc.user) // the hold's cause
		for _, control := range []string{"Put on hold", "Release the holds"} {
			if tc.controls {
				require.Contains(t, page, control, tc.user)
			} else {
				require.NotContains(t, page, control, tc.user)
			}
		}
	}

	c := signedInClient(t, svc, testenv.Rep)
	_, page := c.get("/desk/accounts/" + account)
	status, page := c.post("/desk/accounts/"+account+"/holds/release", url.Values{"csrf": {csrf(t, page)}, "release_reason": {"I say so"}})
	require.Equal(t, http.StatusForbidden, status, page)
	a, err := svc.Store.Account(context.Background(), account)
	require.NoError(t, err)
	require.Equal(t, credit.AccountOnHold, a.Status, "the rep's release refused")
}
