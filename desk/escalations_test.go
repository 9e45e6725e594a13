package desk_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// escalatedInvoice opens an account of the rep with an invoice 40 days
// old: on the standard cadence its escalation to the rep is due at once.
func escalatedInvoice(t *testing.T, svc *testenv.Service) (escalationID, link string) {
	t.Helper()
	account := store.NewID("acc")
	_, err := svc.Store.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, 'Brightwater Foods Ltd', 'ap@brightwater.example', 'active', 'EUR', 10000000, $2)`, account, testenv.Rep)
	require.NoError(t, err)
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": account, "number": "2025-0042", "amount": map[string]any{"amount": "1800.00", "currency": "EUR"},
		"issue_date": time.Now().UTC().AddDate(0, 0, -40).Format(time.DateOnly),
	})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var text string
	testenv.Eventually(t, 45*time.Second, "the sales_escalation email", func() bool {
		mails := svc.SendGrid.OfKind("sales_escalation")
		if len(mails) == 0 {
			return false
		}
		escalationID, text = mails[0].CustomArgs["escalation_id"], mails[0].Text()
		return true
	})
	link = regexp.MustCompile(`http://\S+/desk/escalations/\S+[^.\s]`).FindString(text)
	require.Equal(t, svc.URL+"/desk/escalations/"+escalationID, link, "the email links to the escalation:\n%s", text)
	return escalationID, link
}

func TestRepAcknowledgesAnEscalationFromTheLinkInItsEmail(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	escalationID, link := escalatedInvoice(t, svc)

	b := openBrowser(t, svc)
	b.visit(link)
	b.seePage("Sign in")
	b.typeInto("API token", svc.Token(testenv.Rep)+kb.Enter)
	b.seePage("Escalation: Brightwater Foods Ltd") // back where the link led
	b.see("invoice 2025-0042")
	b.see("EUR 1,800.00")
	b.screenshot("escalation")

	b.press("Acknowledge")
	b.see("note: is required")
	b.typeInto("Note for credit management", "Their CFO pays on Friday; I will call on Thursday.")
	b.press("Acknowledge")
	b.see("Acknowledged. Thank you.")

	e, err := svc.Store.Escalation(context.Background(), escalationID)
	require.NoError(t, err)
	require.Equal(t, credit.EscalationAcknowledged, e.Status)
	require.Equal(t, "Their CFO pays on Friday; I will call on Thursday.", e.Note)

	b.visit("/desk/escalations")
	b.see("Nothing waits for you.")
}

func TestAnotherRepCannotOpenTheEscalation(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	_, link := escalatedInvoice(t, svc)

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.OtherRep))
	b.visit(link)
	b.seePage("Not allowed")
	b.visit("/desk/escalations")
	b.see("Nothing waits for you.")
}
