package desk_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// reviewLink is a recipient's own link in the request_received email.
func reviewLink(t *testing.T, svc *testenv.Service, requestID, recipient string) string {
	t.Helper()
	var text string
	testenv.Eventually(t, 15*time.Second, "request_received", func() bool {
		for _, m := range svc.SendGrid.OfKind("request_received") {
			if m.CustomArgs["request_id"] == requestID {
				text = m.TextTo(recipient)
			}
		}
		return text != ""
	})
	link := regexp.MustCompile(`decide: (\S+)`).FindStringSubmatch(text)
	require.NotNil(t, link, text)
	require.Regexp(t, `^`+regexp.QuoteMeta(svc.URL+"/desk/requests/"+requestID+"/link?token=")+`\S+$`, link[1])
	return link[1]
}

func TestAnalystsDecideFromTheirOwnLinkInTheReviewEmailWithTheirOwnLimit(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "80000.00")
	juniors, analysts := reviewLink(t, svc, r.ID, testenv.LimitedAnalyst), reviewLink(t, svc, r.ID, testenv.Analyst)
	require.NotEqual(t, juniors, analysts, "each analyst gets a link of their own")

	// The junior analyst's link acts as them, with their approval limit.
	junior := openBrowser(t, svc)
	junior.visit(juniors)
	junior.seePage("Decide: " + r.Company)
	junior.see("This link from your email acts as Jo Junior (junior.analyst@example.com)")
	junior.choose("approve")
	junior.replace("Approved limit (EUR)", "60000.00")
	junior.press("Record the decision")
	junior.see("Not allowed: approved_limit: above your approval limit of EUR 50,000.00")
	require.Equal(t, credit.StatusPendingReview, readRequest(t, svc, r.ID).Status)

	b := openBrowser(t, svc)
	b.visit(analysts)
	b.seePage("Decide: " + r.Company)
	b.see("This link from your email acts as Ada Analyst (analyst@example.com)")
	b.see("band")
	b.see("above the EUR 25,000.00 ceiling for automatic approval: a person decides")
	require.Equal(t, credit.StatusPendingReview, readRequest(t, svc, r.ID).Status, "following the link decides nothing")

	b.choose("approve")
	b.replace("Approved limit (EUR)", "60000.00")
	b.typeInto("Reason", "seven years of trading, two references")
	b.press("Record the decision")
	b.see("Your decision is recorded.")

	got := readRequest(t, svc, r.ID)
	require.Equal(t, credit.StatusApproved, got.Status)
	require.Equal(t, "EUR 60,000.00", got.Decision.ApprovedLimit.Display())
	require.Equal(t, testenv.Analyst, got.Decision.DecidedBy)

	b.visit(analysts)
	b.seePage("This link was already used")
}
