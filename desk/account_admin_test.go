package desk_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// TestAnalystChangesTheContactTimeZoneAndTermsOnTheAccountPage: an
// analyst's administration form has the billing contact, the time zone
// and the payment terms (no rep, no closing); a value the API refuses
// shows by its field, and the account changes when all are right.
func TestAnalystChangesTheContactTimeZoneAndTermsOnTheAccountPage(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := activeAccount(t, svc, testenv.Rep, "Fernhill Joinery Ltd")

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.visit("/desk/accounts/" + account)
	b.seePage("Account: Fernhill Joinery Ltd")
	b.see("Administration")
	b.run("see no rep or closing", chromedp.WaitNotPresent(fieldLabelled("Sales rep")), chromedp.WaitNotPresent(choiceLabelled("Close the account")))

	b.press("Save the changes")
	b.see("Nothing is changed: change a field first.")

	b.typeInto("Payment terms (days)", "400")
	b.press("Save the changes")
	b.see("payment terms days: must be between 1 and 365")
	b.run("the terms field says what is wrong", chromedp.WaitVisible(
		`//input[@id="f-payment_terms_days" and @aria-invalid="true" and contains(@aria-describedby, "f-payment_terms_days-error")]`))

	b.replace("Payment terms (days)", "14")
	b.replace("Customer's time zone", "Mars/Olympus")
	b.press("Save the changes")
	b.see(`time zone: must be an IANA time zone such as "Europe/Berlin"`)

	b.replace("Customer's time zone", "Europe/Berlin")
	b.replace("Billing contact's email", "payables@fernhill.example")
	b.press("Save the changes")
	b.see("The account is changed.")
	b.see("Europe/Berlin")
	b.see("14 days")
	b.see("payables@fernhill.example")
	b.screenshot("account-administration")

	a, err := svc.Store.Account(context.Background(), account)
	require.NoError(t, err)
	require.Equal(t, "payables@fernhill.example", a.BillingEmail)
	require.Equal(t, "Europe/Berlin", a.TimeZone)
	require.NotNil(t, a.PaymentTermsDays)
	require.Equal(t, 14, *a.PaymentTermsDays)
	require.Equal(t, testenv.Rep, a.SalesRep, "the rep is not the analyst's to change")
}

// TestAdminReassignsTheRepAndClosesTheAccount: an admin's form has the
// rep and closing (no contact, time zone or terms); the API refuses a rep
// who is no sales user by the field.
func TestAdminReassignsTheRepAndClosesTheAccount(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := activeAccount(t, svc, testenv.Rep, "Oakbridge Paper AG")

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Admin))
	b.visit("/desk/accounts/" + account)
	b.seePage("Account: Oakbridge Paper AG")
	b.run("see no contact, time zone or terms", chromedp.WaitNotPresent(fieldLabelled("Billing contact's email")),
		chromedp.WaitNotPresent(fieldLabelled("Customer's time zone")), chromedp.WaitNotPresent(fieldLabelled("Payment terms (days)")))

	b.replace("Sales rep", testenv.Analyst)
	b.press("Save the changes")
	b.see("sales rep: must be an enabled sales user of Creditflow")
	b.replace("Sales rep", testenv.OtherRep)
	b.run("tick closing", chromedp.Click(choiceLabelled("Close the account")))
	b.press("Save the changes")
	b.see("The account is changed.")
	b.see("closed")
	b.see(testenv.OtherRep)
	b.run("a closed account has no closing", chromedp.WaitNotPresent(choiceLabelled("Close the account")))

	a, err := svc.Store.Account(context.Background(), account)
	require.NoError(t, err)
	require.Equal(t, credit.AccountClosed, a.Status)
	require.Equal(t, testenv.OtherRep, a.SalesRep)
}

// TestTheAdministrationFormOffersWhatTheAPILetsEachRoleChange holds the
// form to the design's matrix, and the API with it: each role's form has
// the fields it may change and no other, and the API changes those and
// refuses the others (403).
func TestTheAdministrationFormOffersWhatTheAPILetsEachRoleChange(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := activeAccount(t, svc, testenv.Rep, "Quayside Tools BV")
	valid := map[string]any{"billing_email": "ap@quayside.example", "time_zone": "Europe/Amsterdam", "payment_terms_days": 20,
		"sales_rep": testenv.OtherRep, "status": "closed"}
	fields := []string{"billing_email", "time_zone", "payment_terms_days", "sales_rep", "status"}
	onForm := map[string]string{"billing_email": `name="billing_email"`, "time_zone": `name="time_zone"`,
		"payment_terms_days": `name="payment_terms_days"`, "sales_rep": `name="sales_rep"`, "status": `name="close"`}

	// The admin goes last: its new rep no longer lets the first rep in,
	// and the account ends closed.
	for _, tc := range []struct {
		user string
		may  []string
	}{
		{testenv.Rep, []string{"billing_email", "time_zone"}},
		{testenv.Analyst, []string{"billing_email", "time_zone", "payment_terms_days"}},
		{testenv.CreditManager, []string{"billing_email", "time_zone", "payment_terms_days"}},
		{testenv.Admin, []string{"sales_rep", "status"}},
	} {
		c := signedInClient(t, svc, tc.user)
		status, page := c.get("/desk/accounts/" + account)
		require.Equal(t, http.StatusOK, status, tc.user)
		for _, field := range fields {
			may := slices.Contains(tc.may, field)
			require.Equal(t, may, strings.Contains(page, onForm[field]), "%s: %s on the form", tc.user, field)
			if may {
				continue
			}
			resp := svc.Call(t, http.MethodPatch, "/api/v1/accounts/"+account, tc.user, map[string]any{field: valid[field]})
			require.Equal(t, http.StatusForbidden, resp.Status, "%s changing %s: %s", tc.user, field, resp.Body)
		}
		for _, field := range tc.may {
			resp := svc.Call(t, http.MethodPatch, "/api/v1/accounts/"+account, tc.user, map[string]any{field: valid[field]})
			require.Equal(t, http.StatusOK, resp.Status, "%s changing %s: %s", tc.user, field, resp.Body)
		}
	}
}
