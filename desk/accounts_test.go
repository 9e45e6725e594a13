package desk_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
)

// The weekly digest links to /desk/accounts/{id}: the page shows what the
// API answers of the account and its timeline, and the API's refusal to a
// rep who is not the account's.
func TestRepReadsTheirAccountAndIsRefusedAnotherRepsAccount(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	mine := testenv.AccountOnHold(t, svc.Store, testenv.Rep, "Harbour Mills GmbH", 40)
	theirs := testenv.AccountOnHold(t, svc.Store, testenv.OtherRep, "Copperline Trading Ltd", 10)
	note := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+mine+"/notes", testenv.Rep,
		map[string]any{"body": "their CFO promised payment on Friday", "department": "sales"})
	require.Equal(t, http.StatusCreated, note.Status, string(note.Body))

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Rep))
	b.follow("My accounts")
	b.seePage("My accounts")
	b.see("Harbour Mills GmbH")
	b.follow("Harbour Mills GmbH")
	b.seePage("Account: Harbour Mills GmbH")
	b.see("on hold")
	b.see("EUR 50,000.00") // the credit limit
	b.screenshot("account")
	b.see("EUR 2,500.00 of the limit (5%)")       // the exposure: the open invoice's balance
	b.see("INV-Har")                              // the open invoice, 40 days overdue
	b.see("their CFO promised payment on Friday") // the timeline

	b.visit("/desk/accounts/" + theirs)
	b.seePage("Not allowed")
	b.see("sales reps see their own accounts")
	b.visit("/desk/accounts/acc_doesnotexist")
	b.seePage("account not found")

	// The refusal is the API's status, and nothing of the account shows.
	c := signedInClient(t, svc, testenv.Rep)
	status, page := c.get("/desk/accounts/" + theirs)
	require.Equal(t, http.StatusForbidden, status, page)
	require.NotContains(t, page, "Copperline")
	status, page = c.get("/desk/accounts")
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "Harbour Mills GmbH")
	require.NotContains(t, page, "Copperline", "a rep's list holds their own accounts")
}

func TestAnalystSeesEveryAccountInTheList(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	testenv.AccountOnHold(t, svc.Store, testenv.Rep, "Harbour Mills GmbH", 40)
	testenv.AccountOnHold(t, svc.Store, testenv.OtherRep, "Copperline Trading Ltd", 10)

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.follow("Accounts")
	b.seePage("Accounts")
	b.see("Harbour Mills GmbH")
	b.see("Copperline Trading Ltd")
	b.see(testenv.OtherRep)
	b.follow("Copperline Trading Ltd")
	b.seePage("Account: Copperline Trading Ltd")
	b.see("INV-Cop")
}
