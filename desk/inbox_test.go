package desk_test

import (
	"crypto/rand"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// filed is a pre-approval filed, with its company's name.
type filed struct {
	credit.CreditRequest
	Company string
}

// askForPreApproval files a pre-approval through the API as a rep and
// waits for its score: above EUR 25,000 it waits for a person.
func askForPreApproval(t *testing.T, svc *testenv.Service, rep, requested string) filed {
	t.Helper()
	company := "Acme Tools " + strings.ToUpper(rand.Text()[:6])
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", rep, map[string]any{
		"kind": "pre_approval", "requested_limit": map[string]any{"amount": requested, "currency": "EUR"},
		"reason": "first order expected next month",
		"prospect": map[string]any{"name": company, "registration_number": "HRB " + rand.Text()[:8],
			"country": "DE", "billing_email": "billing@acme.example", "annual_revenue": map[string]any{"amount": "2500000.00", "currency": "EUR"},
			"years_in_business": 7, "trade_references": 2},
	})
	require.Equal(t, http.StatusAccepted, resp.Status, string(resp.Body))
	var r credit.CreditRequest
	resp.JSON(t, &r)
	testenv.Eventually(t, 15*time.Second, "the request's score", func() bool {
		r = readRequest(t, svc, r.ID)
		return r.Status != credit.StatusScoring
	})
	require.Equal(t, credit.StatusPendingReview, r.Status)
	return filed{r, company}
}

func readRequest(t *testing.T, svc *testenv.Service, id string) credit.CreditRequest {
	t.Helper()
	var r credit.CreditRequest
	resp := svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+id, testenv.Admin, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &r)
	return r
}

func TestAnalystDecidesAPendingRequestFromTheInbox(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "50000.00")

	// The credit team's email links to the request's page.
	var received string
	testenv.Eventually(t, 15*time.Second, "request_received", func() bool {
		mails := svc.SendGrid.OfKind("request_received")
		if len(mails) > 0 {
			received = mails[0].Text()
		}
		return received != ""
	})
	require.Contains(t, received, "Open it in the credit desk to decide: "+svc.URL+"/desk/requests/"+r.ID)

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.seePage("Inbox")
	b.see(r.Company)
	b.see("0.0 of 2 days")
	b.see("above the EUR 25,000.00 ceiling for automatic approval: a person decides")
	b.screenshot("inbox")
	b.follow(r.Company)
	b.seePage("Credit request: " + r.Company)
	b.screenshot("request")

	b.choose("approve")
	b.replace("Approved limit (EUR)", "40000.00")
	b.typeInto("Reason", "seven years of trading, two references")
	b.press("Record the decision")
	b.see("Your decision is recorded.")
	b.see("approved")

	got := readRequest(t, svc, r.ID)
	require.Equal(t, credit.StatusApproved, got.Status)
	require.Equal(t, "EUR 40,000.00", got.Decision.ApprovedLimit.Display())
	require.Equal(t, testenv.Analyst, got.Decision.DecidedBy)
	require.Equal(t, "seven years of trading, two references", got.Decision.Reason)

	b.visit("/desk/inbox")
	b.see("Nothing waits for a decision.")
}

func TestAnalystAboveTheirLimitReadsTheRefusalOnTheForm(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "80000.00")

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.LimitedAnalyst))
	b.visit("/desk/requests/" + r.ID)
	b.choose("approve")
	b.replace("Approved limit (EUR)", "60000.00")
	b.press("Record the decision")
	b.see("Not allowed: approved_limit: above your approval limit of EUR 50,000.00")
	require.Equal(t, credit.StatusPendingReview, readRequest(t, svc, r.ID).Status)

	// What the API says of a field stands next to that field.
	b.choose("decline")
	b.replace("Approved limit (EUR)", "")
	b.press("Record the decision")
	b.see("reason: is required")
}

func TestARepWhoEditsTheAddressToAnotherRepsRequestIsRefused(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	theirs := askForPreApproval(t, svc, testenv.OtherRep, "50000.00")
	mine := askForPreApproval(t, svc, testenv.Rep, "50000.00")

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Rep))
	b.seePage("My requests")
	b.see(mine.Company)
	b.follow(mine.Company)
	b.seePage("Credit request: " + mine.Company)

	b.visit("/desk/requests/" + theirs.ID)
	b.seePage("Not allowed")
	b.see("sales reps see the requests of their own accounts")
	b.visit("/desk/requests/cr_doesnotexist")
	b.seePage("credit request not found")

	c := signedInClient(t, svc, testenv.Rep)
	status, page := c.get("/desk/requests/" + theirs.ID)
	require.Equal(t, http.StatusForbidden, status, page)
	require.NotContains(t, page, theirs.Company)
}
