package desk_test

import (
	"crypto/rand"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// A rep tries figures for a new customer and sees what credit would say
// before filing; the request above the automatic ceiling goes to an
// analyst, who approves it with a condition; the rep reads the outcome.
func TestRepFilesAPreApprovalAfterSeeingItsScoreAndAnAnalystDecidesIt(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	company := "Brightwater Tools " + strings.ToUpper(rand.Text()[:6])

	rep := openBrowser(t, svc)
	rep.visit("/desk/requests")
	rep.seePage("Sign in")
	rep.typeInto("Your work email", testenv.Rep)
	rep.press("Email me a sign-in link")
	rep.visit(signInLink(t, svc, testenv.Rep, 1))
	rep.press("Sign in as " + testenv.Rep)
	rep.seePage("My requests")
	rep.follow("New pre-approval")
	rep.seePage("New pre-approval")
	rep.see("The score appears here as you fill in the company and the limit.")

	// Half filled: the preview says what it still needs, calmly.
	rep.typeInto("Company name", company)
	rep.see("To see the score, fill in:")
	rep.see("Registration number")
	rep.typeInto("Registration number", "HRB "+rand.Text()[:8])
	rep.typeInto("Country", "DE")
	rep.typeInto("Billing email", "billing@brightwater.example")
	rep.typeInto("Years in business", "7")
	rep.typeInto("Annual revenue", "2500000.00")
	rep.typeInto("Trade references", "2")
	rep.typeInto("Requested limit", "20000.00")
	rep.see("Credit would approve this at once")
	rep.see("85 points, band A")

	// More than the scorecard approves on its own: a person decides.
	rep.replace("Requested limit", "50000.00")
	rep.see("An analyst will decide")
	rep.see("above the EUR 25,000.00 ceiling for automatic approval: a person decides")
	rep.see("EUR 250,000.00") // the recommended limit, 10% of revenue
	rep.typeInto("Reason (optional)", "a first order of machine parts")
	rep.run("back to the top", chromedp.ScrollIntoView(heading("New pre-approval")))
	rep.screenshot("new-pre-approval")
	require.Zero(t, countRequests(t, svc), "the preview filed nothing")

	rep.press("File the pre-approval")
	rep.seePage("Credit request: " + company)
	r := onlyRequest(t, svc)
	testenv.Eventually(t, 15*time.Second, "the request's score", func() bool {
		r = readRequest(t, svc, r.ID)
		return r.Status != credit.StatusScoring
	})
	require.Equal(t, credit.StatusPendingReview, r.Status, "as the preview said")
	require.Equal(t, "A", r.Band)
	require.Equal(t, "a first order of machine parts", r.Reason)

	analyst := openBrowser(t, svc)
	analyst.signInWithToken(svc.Token(testenv.Analyst))
	analyst.seePage("Inbox")
	analyst.follow(company)
	analyst.seePage("Credit request: " + company)
	analyst.choose("approve with conditions")
	analyst.replace("Approved limit (EUR)", "40000.00")
	analyst.choose("personal guarantee")
	analyst.typeInto("Guarantor's name", "Robin Hale")
	analyst.typeInto("Reason", "young customer relationship")
	analyst.press("Record the decision")
	analyst.see("Your decision is recorded.")

	rep.visit("/desk/requests")
	rep.seePage("My requests")
	rep.see("approved with conditions")
	rep.see("EUR 40,000.00 with the personal guarantee of Robin Hale (pending)")
	rep.screenshot("request-decided")
}

// Without JavaScript the form is an ordinary form: it files the request
// and opens its page, or shows the API's word next to each field.
func TestTheNewPreApprovalFormWorksWithoutJavaScript(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	c := signedInClient(t, svc, testenv.Rep)
	status, page := c.get("/desk/requests/new")
	require.Equal(t, http.StatusOK, status)
	key := regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(page)
	require.NotNil(t, key)
	form := url.Values{"csrf": {csrf(t, page)}, "idempotency_key": {key[1]},
		"prospect.name": {"Lakeside Supply"}, "prospect.registration_number": {"HRB " + rand.Text()[:8]},
		"prospect.country": {"DE"}, "prospect.billing_email": {"ap@lakeside.example"},
		"prospect.years_in_business": {"seven"}, "prospect.annual_revenue": {"2500000.00"},
		"prospect.trade_references": {"2"}, "requested_limit": {"20000.00"}, "currency": {"EUR"}}

	status, page = c.post("/desk/requests", form)
	require.Equal(t, http.StatusUnprocessableEntity, status)
	require.Regexp(t, `id="f-prospect.years_in_business-error"`, page, "the API's word stands next to the field")
	require.Contains(t, page, `value="Lakeside Supply"`, "what was typed is kept")
	require.Zero(t, countRequests(t, svc))

	form.Set("csrf", csrf(t, page))
	form.Set("idempotency_key", regexp.MustCompile(`name="idempotency_key" value="([^"]+)"`).FindStringSubmatch(page)[1])
	form.Set("prospect.years_in_business", "7")
	for range 2 { // a double click files it once
		status, _ = c.post("/desk/requests", form)
		require.Equal(t, http.StatusSeeOther, status)
	}
	r := onlyRequest(t, svc)
	var account credit.Account
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+r.AccountID, testenv.Rep, nil).JSON(t, &account)
	require.Equal(t, "Lakeside Supply", account.Name)
	require.Equal(t, 7, account.YearsInBusiness)
	status, page = c.get("/desk/requests/" + r.ID)
	require.Equal(t, http.StatusOK, status)
	require.Contains(t, page, "Credit request: Lakeside Supply")
}

func countRequests(t *testing.T, svc *testenv.Service) int {
	t.Helper()
	var list struct{ Items []credit.CreditRequest }
	resp := svc.Call(t, http.MethodGet, "/api/v1/credit-requests", testenv.Admin, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &list)
	return len(list.Items)
}

func onlyRequest(t *testing.T, svc *testenv.Service) credit.CreditRequest {
	t.Helper()
	var list struct{ Items []credit.CreditRequest }
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests", testenv.Admin, nil).JSON(t, &list)
	require.Len(t, list.Items, 1)
	return list.Items[0]
}
