package desk_test

import (
	"context"
	"encoding/base64"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// escalatedInvoice opens an account of the rep with an invoice 40 days
// old: on the standard cadence its escalation to the rep is due at once.
// link is the rep's action link from the sales_escalation email.
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
	require.True(t, strings.HasPrefix(link, svc.URL+"/desk/escalations/"+escalationID+"/link?token="),
		"the email links to the escalation, with the rep's action link:\n%s", text)
	return escalationID, link
}

func TestRepAcknowledgesAnEscalationFromTheLinkInItsEmailWithoutSigningIn(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	escalationID, link := escalatedInvoice(t, svc)
	status := func() string {
		e, err := svc.Store.Escalation(context.Background(), escalationID)
		require.NoError(t, err)
		return e.Status
	}

	// The rep opens the email twice: on the phone, then on the laptop.
	phone, laptop := openBrowser(t, svc), openBrowser(t, svc)
	laptop.visit(link)
	laptop.seePage("Acknowledge: Brightwater Foods Ltd")
	phone.visit(link)
	phone.seePage("Acknowledge: Brightwater Foods Ltd")
	phone.see("This link from your email acts as Riley Rep (rep@example.com)")
	phone.see("invoice 2025-0042")
	phone.see("EUR 1,800.00")
	phone.screenshot("action-link")
	// (On a one-second policy day it may be overdue by now.)
	require.NotEqual(t, credit.EscalationAcknowledged, status(), "following the link acts on nothing")

	phone.press("Acknowledge")
	phone.see("note: is required")
	phone.typeInto("Note for credit management", "Their CFO pays on Friday; I will call on Thursday.")
	phone.press("Acknowledge")
	phone.see("Acknowledged. Thank you.")

	e, err := svc.Store.Escalation(context.Background(), escalationID)
	require.NoError(t, err)
	require.Equal(t, credit.EscalationAcknowledged, e.Status)
	require.Equal(t, "Their CFO pays on Friday; I will call on Thursday.", e.Note)

	// The laptop's page, opened before, sends the same link once more.
	laptop.typeInto("Note for credit management", "Called them again.")
	laptop.press("Acknowledge")
	laptop.seePage("This link was already used")
	laptop.visit(link)
	laptop.seePage("This link was already used")
	e, err = svc.Store.Escalation(context.Background(), escalationID)
	require.NoError(t, err)
	require.Equal(t, "Their CFO pays on Friday; I will call on Thursday.", e.Note, "the link acted once")
}

func TestAForgedExpiredOrDisabledUsersLinkActsOnNothing(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	escalationID, link := escalatedInvoice(t, svc)
	u, err := url.Parse(link)
	require.NoError(t, err)
	token := u.Query().Get("token")
	payload, mac, _ := strings.Cut(token, ".")
	claims, err := base64.RawURLEncoding.DecodeString(payload)
	require.NoError(t, err)
	other, err := svc.Store.UserByEmail(context.Background(), testenv.OtherRep)
	require.NoError(t, err)
	rep, err := svc.Store.UserByEmail(context.Background(), testenv.Rep)
	require.NoError(t, err)
	asOther := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(claims), rep.ID, other.ID, 1)))

	b := openBrowser(t, svc)
	for _, forged := range []string{
		asOther + "." + mac, // another user under the rep's signature
		"/desk/escalations/esc_other/link?token=" + url.QueryEscape(token), // another escalation
	} {
		if !strings.HasPrefix(forged, "/") {
			forged = "/desk/escalations/" + escalationID + "/link?token=" + url.QueryEscape(forged)
		}
		b.visit(forged)
		b.seePage("This link is not valid")
		b.see("Nothing was done.")
	}

	// A form posted with a forged token acts on nothing either.
	c := newClient(t, svc)
	_, page := c.get("/desk/sign-in")
	status, body := c.post("/desk/escalations/"+escalationID+"/link", url.Values{"csrf": {csrf(t, page)},
		"token": {asOther + "." + mac}, "note": {"forged"}})
	require.Equal(t, http.StatusForbidden, status, body)

	b.visit(svc.Links.Action(links.ActionToken{ID: links.ActionTokenID("escalation/old", rep.ID), UserID: rep.ID,
		Action: links.ActionAcknowledgeEscalation, Object: escalationID, Expires: time.Now().Add(-time.Minute)}))
	b.seePage("This link has expired")

	_, err = svc.Store.DisableUser(context.Background(), testenv.Rep)
	require.NoError(t, err)
	b.visit(link)
	b.seePage("This link does not work any more")
	e, err := svc.Store.Escalation(context.Background(), escalationID)
	require.NoError(t, err)
	require.NotEqual(t, credit.EscalationAcknowledged, e.Status)
	require.Empty(t, e.Note)
}

// A crash between the API acting and the link being marked used: the
// same form sent again gets the API's first answer, and acts no more.
func TestALinkSentAgainAfterItActedGetsTheFirstAnswer(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	escalationID, link := escalatedInvoice(t, svc)
	u, err := url.Parse(link)
	require.NoError(t, err)

	c := newClient(t, svc)
	status, page := c.get(u.RequestURI())
	require.Equal(t, http.StatusOK, status, page)
	form := url.Values{"csrf": {csrf(t, page)}, "token": {u.Query().Get("token")}, "note": {"Paying on Friday."}}
	status, page = c.post(u.Path, form)
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "Acknowledged. Thank you.")

	_, err = svc.Store.Pool.Exec(context.Background(), `DELETE FROM action_links_used`)
	require.NoError(t, err)
	status, page = c.post(u.Path, form)
	require.Equal(t, http.StatusOK, status, page)
	require.Contains(t, page, "Acknowledged. Thank you.")
	status, page = c.post(u.Path, form)
	require.Equal(t, http.StatusGone, status, page)
	require.Contains(t, page, "This link was already used")

	e, err := svc.Store.Escalation(context.Background(), escalationID)
	require.NoError(t, err)
	require.Equal(t, "Paying on Friday.", e.Note)
}

func TestAnotherRepCannotOpenTheEscalation(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	escalationID, _ := escalatedInvoice(t, svc)

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.OtherRep))
	b.visit("/desk/escalations/" + escalationID)
	b.seePage("Not allowed")
	b.visit("/desk/escalations")
	b.see("Nothing waits for you.")
}
