package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// TestCreditHoldsAnAccountByHandAndReleasesIt: an analyst holds an account
// with a reason; its credit checks refuse, its rep is told why and by
// whom, the hold shows on the account and its timeline; the release
// lifts it and tells the rep again. A retry of either changes nothing
// twice, and a release with nothing held is a 409.
func TestCreditHoldsAnAccountByHandAndReleasesIt(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 10_000, 0)
	path := "/api/v1/accounts/" + account

	hold := func(key string) testenv.Response {
		return svc.Call(t, http.MethodPost, path+"/holds", testenv.Analyst,
			map[string]any{"reason": "the customer's bank returned two direct debits"}, "Idempotency-Key", key)
	}
	resp := hold("hold-1")
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var a credit.Account
	resp.JSON(t, &a)
	require.Equal(t, credit.AccountOnHold, a.Status)
	require.Len(t, a.Holds, 1)
	require.Equal(t, "manual", a.Holds[0].Cause)
	require.Equal(t, testenv.Analyst, a.Holds[0].PlacedBy)
	require.Equal(t, "the customer's bank returned two direct debits", a.Holds[0].Reason)
	require.Equal(t, http.StatusOK, hold("hold-1").Status, "the same key again: the first answer")

	check := svc.Call(t, http.MethodPost, path+"/credit-checks", testenv.Rep, map[string]any{"amount": eurBody("10.00")})
	require.Equal(t, http.StatusOK, check.Status, string(check.Body))
	require.False(t, check.Map(t)["approved"].(bool), "no order ships while the account is held")

	testenv.Eventually(t, 20*time.Second, "the rep to hear of the hold", func() bool {
		return len(svc.SendGrid.OfKind(email.KindCreditHold)) > 0
	})
	held := svc.SendGrid.OfKind(email.KindCreditHold)[0]
	require.Equal(t, []string{testenv.Rep}, held.To())
	require.Contains(t, held.Text(), "the customer's bank returned two direct debits")
	require.Contains(t, held.Text(), testenv.Analyst+" in credit placed this hold")

	resp = svc.Call(t, http.MethodPost, path+"/holds/release", testenv.CreditManager,
		map[string]any{"reason": "paid by bank transfer"}, "Idempotency-Key", "release-1")
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	a = credit.Account{}
	resp.JSON(t, &a)
	require.Equal(t, credit.AccountActive, a.Status)
	require.Empty(t, a.Holds)
	testenv.Eventually(t, 20*time.Second, "the rep to hear of the release", func() bool {
		return len(svc.SendGrid.OfKind(email.KindHoldReleased)) > 0
	})
	require.Contains(t, svc.SendGrid.OfKind(email.KindHoldReleased)[0].Text(), "released by "+testenv.CreditManager+": paid by bank transfer")

	again := svc.Call(t, http.MethodPost, path+"/holds/release", testenv.CreditManager,
		map[string]any{"reason": "once more"}, "Idempotency-Key", "release-2")
	requireProblemStatus(t, again, http.StatusConflict, "nothing to release")

	var timeline struct{ Items []credit.TimelineEntry }
	svc.Call(t, http.MethodGet, path+"/timeline", testenv.Rep, nil).JSON(t, &timeline)
	var said []string
	for _, e := range timeline.Items {
		said = append(said, e.Actor+": "+e.Summary)
	}
	joined := strings.Join(said, "\n")
	require.Contains(t, joined, testenv.Analyst+": Credit hold by "+testenv.Analyst+": the customer's bank returned two direct debits")
	require.Contains(t, joined, testenv.CreditManager+": Credit hold released by "+testenv.CreditManager+": paid by bank transfer")

	time.Sleep(time.Second) // a second email would have arrived by now
	require.Len(t, svc.SendGrid.OfKind(email.KindCreditHold), 1, "the retried hold told the rep once")
	require.Len(t, svc.SendGrid.OfKind(email.KindHoldReleased), 1)
}

// TestHoldsRefuseBadInputAndTheWrongAccounts: a reason is required and one
// line; a prospect or a closed account is not held; sales and admins do
// not hold.
func TestHoldsRefuseBadInputAndTheWrongAccounts(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 10_000, 0)
	path := "/api/v1/accounts/" + account + "/holds"

	for _, body := range []map[string]any{{"reason": "  "}, {"reason": "two\nlines"}} {
		p := requireProblemStatus(t, svc.Call(t, http.MethodPost, path, testenv.Analyst, body), http.StatusUnprocessableEntity, "%v", body)
		require.Equal(t, "reason", p.Errors[0].Field)
	}
	p := requireProblemStatus(t, svc.Call(t, http.MethodPost, path, testenv.Analyst, map[string]any{}), http.StatusUnprocessableEntity, "no reason")
	require.Equal(t, "reason", p.Errors[0].Field)
	for _, who := range []string{testenv.Rep, testenv.Admin} {
		requireProblemStatus(t, svc.Call(t, http.MethodPost, path, who, map[string]any{"reason": "x"}), http.StatusForbidden, who)
	}

	r := askForPreApproval(t, svc, "50000.00")
	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/accounts/"+r.AccountID+"/holds", testenv.Analyst,
		map[string]any{"reason": "not yet a customer"}), http.StatusConflict, "a prospect")

	closed := svc.Call(t, http.MethodPatch, "/api/v1/accounts/"+account, testenv.Admin, map[string]any{"status": "closed"})
	require.Equal(t, http.StatusOK, closed.Status, string(closed.Body))
	requireProblemStatus(t, svc.Call(t, http.MethodPost, path, testenv.Analyst, map[string]any{"reason": "x"}), http.StatusConflict, "a closed account")
}

// TestAnAdminReassignsAnAccountToAnotherRep: the new rep sees the account
// and the old one no longer does; the next hold's email goes to the new
// rep; the change is on the timeline.
func TestAnAdminReassignsAnAccountToAnotherRep(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 10_000, 0)
	path := "/api/v1/accounts/" + account

	p := requireProblemStatus(t, svc.Call(t, http.MethodPatch, path, testenv.Admin, map[string]any{"sales_rep": "nobody@example.com"}),
		http.StatusUnprocessableEntity, "not a user")
	require.Equal(t, "sales_rep", p.Errors[0].Field)
	p = requireProblemStatus(t, svc.Call(t, http.MethodPatch, path, testenv.Admin, map[string]any{"sales_rep": testenv.Analyst}),
		http.StatusUnprocessableEntity, "not a sales user")
	require.Equal(t, "sales_rep", p.Errors[0].Field)

	resp := svc.Call(t, http.MethodPatch, path, testenv.Admin, map[string]any{"sales_rep": strings.ToUpper(testenv.OtherRep)})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var a credit.Account
	resp.JSON(t, &a)
	require.Equal(t, testenv.OtherRep, a.SalesRep)

	requireProblemStatus(t, svc.Call(t, http.MethodGet, path, testenv.Rep, nil), http.StatusForbidden, "the old rep")
	require.Equal(t, http.StatusOK, svc.Call(t, http.MethodGet, path, testenv.OtherRep, nil).Status)

	require.Equal(t, http.StatusOK, svc.Call(t, http.MethodPost, path+"/holds", testenv.Analyst, map[string]any{"reason": "returned debit"}).Status)
	testenv.Eventually(t, 20*time.Second, "the new rep to hear of the hold", func() bool {
		return len(svc.SendGrid.OfKind(email.KindCreditHold)) > 0
	})
	require.Equal(t, []string{testenv.OtherRep}, svc.SendGrid.OfKind(email.KindCreditHold)[0].To())

	var timeline struct{ Items []credit.TimelineEntry }
	svc.Call(t, http.MethodGet, path+"/timeline", testenv.Analyst, nil).JSON(t, &timeline)
	require.Equal(t, "Changed by "+testenv.Admin+": sales rep from "+testenv.Rep+" to "+testenv.OtherRep, timeline.Items[0].Summary)
}

// TestAccountFieldsAreChangedByTheRolesTheDesignGives: the rep and credit
// change the billing contact and the time zone, only an admin the rep and
// the status; every refusal names the field.
func TestAccountFieldsAreChangedByTheRolesTheDesignGives(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 10_000, 0)
	path := "/api/v1/accounts/" + account

	resp := svc.Call(t, http.MethodPatch, path, testenv.Rep, map[string]any{"billing_email": "AP@Acme.example", "time_zone": "Europe/Berlin"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var a credit.Account
	resp.JSON(t, &a)
	require.Equal(t, "ap@acme.example", a.BillingEmail)
	require.Equal(t, "Europe/Berlin", a.TimeZone)

	for _, c := range []struct {
		who    string
		body   map[string]any
		status int
		field  string
	}{
		{testenv.Rep, map[string]any{"sales_rep": testenv.OtherRep}, http.StatusForbidden, "sales_rep"},
		{testenv.Analyst, map[string]any{"status": "closed"}, http.StatusForbidden, "status"},
		{testenv.Admin, map[string]any{"billing_email": "x@example.com"}, http.StatusForbidden, "billing_email"},
		{testenv.OtherRep, map[string]any{"time_zone": "UTC"}, http.StatusForbidden, ""},
		{testenv.Analyst, map[string]any{"time_zone": "Mars/Olympus"}, http.StatusUnprocessableEntity, "time_zone"},
		{testenv.Analyst, map[string]any{"billing_email": "not an address"}, http.StatusUnprocessableEntity, "billing_email"},
		{testenv.Admin, map[string]any{"status": "active"}, http.StatusUnprocessableEntity, "status"},
		{testenv.Admin, map[string]any{}, http.StatusUnprocessableEntity, "body"},
		{testenv.Admin, map[string]any{"name": "New Name"}, http.StatusUnprocessableEntity, "name"},
		{testenv.Rep, map[string]any{"payment_terms_days": 14}, http.StatusForbidden, "payment_terms_days"},
		{testenv.Admin, map[string]any{"payment_terms_days": 14}, http.StatusForbidden, "payment_terms_days"},
		{testenv.Analyst, map[string]any{"payment_terms_days": 0}, http.StatusUnprocessableEntity, "payment_terms_days"},
	} {
		p := requireProblemStatus(t, svc.Call(t, http.MethodPatch, path, c.who, c.body), c.status, "%s %v", c.who, c.body)
		if c.status == http.StatusForbidden {
			require.Contains(t, p.Detail, c.field, "%s %v", c.who, c.body)
		} else if c.field != "" {
			require.Contains(t, string(mustJSON(t, p)), c.field, "%s %v", c.who, c.body)
		}
	}

	// Credit sets the account's terms: its next invoice given none is due
	// after them.
	resp = svc.Call(t, http.MethodPatch, path, testenv.CreditManager, map[string]any{"payment_terms_days": 14})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	inv := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": account, "number": "TERMS-14", "amount": eurBody("10.00"), "issue_date": daysAgo(0)})
	require.Equal(t, http.StatusCreated, inv.Status, string(inv.Body))
	require.Equal(t, time.Now().UTC().AddDate(0, 0, 14).Format(time.DateOnly), inv.Map(t)["due_date"])

	// Closed: no new invoices.
	require.Equal(t, http.StatusOK, svc.Call(t, http.MethodPatch, path, testenv.Admin, map[string]any{"status": "closed"}).Status)
	p := requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": account, "number": "AFTER-CLOSE", "amount": eurBody("10.00"), "issue_date": daysAgo(0),
	}), http.StatusUnprocessableEntity, "an invoice for a closed account")
	require.Equal(t, "account_id", p.Errors[0].Field)
}

// TestRecordAccountHoldHistories records the histories of a hold placed
// and released by hand, for workflows/replay_test.go:
//
//	CREDITFLOW_RECORD_HISTORIES=1 go test ./api -run TestRecordAccountHoldHistories
func TestRecordAccountHoldHistories(t *testing.T) {
	if !testenv.RecordHistories {
		t.Skip("set CREDITFLOW_RECORD_HISTORIES=1 to record workflows/testdata")
	}
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 10_000, 0)
	recorded := map[string]bool{}
	for _, step := range []struct{ path, name string }{{"/holds", "account_hold_placed"}, {"/holds/release", "account_hold_released"}} {
		resp := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+account+step.path, testenv.Analyst, map[string]any{"reason": "recorded"})
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		var id string
		testenv.Eventually(t, 20*time.Second, "the hold's workflow listed", func() bool {
			list, err := svc.Temporal.ListWorkflow(context.Background(), &workflowservice.ListWorkflowExecutionsRequest{
				Query: "WorkflowType = 'AccountHoldWorkflow' AND ExecutionStatus = 'Completed'",
			})
			if err != nil {
				return false
			}
			for _, e := range list.Executions {
				if !recorded[e.Execution.WorkflowId] {
					id = e.Execution.WorkflowId
					return true
				}
			}
			return false
		})
		recorded[id] = true
		testenv.SaveHistory(t, svc.Temporal, id, step.name)
	}
}

// TestANewBillingEmailReceivesTheReminderThatBounced: the reminder to the
// old address bounced and the rep was asked for the right one; the rep
// gives it, and that reminder goes again to the new address, once, also
// when the same change is sent twice.
func TestANewBillingEmailReceivesTheReminderThatBounced(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{Day: time.Second, Webhooks: true})
	inv, m, account := reminderOf(t, svc, "BOUNCE-NEW-ADDRESS")
	now := time.Now()
	resp := svc.PostEvents(t, []map[string]any{m.Event("bounce", "ev-b", now)}, now)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))

	const address = "payables@acme.example"
	for range 2 {
		resp := svc.Call(t, http.MethodPatch, "/api/v1/accounts/"+account, testenv.Rep, map[string]any{"billing_email": address})
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	}
	id := workflows.ContactChangedWorkflowID(account, address)
	testenv.Eventually(t, 30*time.Second, "the bounced reminder sent again", func() bool {
		d, err := svc.Temporal.DescribeWorkflowExecution(context.Background(), id, "")
		return err == nil && d.WorkflowExecutionInfo.CloseTime != nil
	})
	var again []testenv.SentMail
	for _, sent := range svc.SendGrid.OfKind(email.KindInvoiceReminder) {
		if sent.CustomArgs["invoice_id"] == inv.ID && sent.To()[0] == address {
			again = append(again, sent)
		}
	}
	require.Len(t, again, 1, "once, however often the change is sent")
	require.Equal(t, m.Subject, again[0].Subject)
	require.Equal(t, m.CustomArgs["email_key"]+"/to/"+address, again[0].CustomArgs["email_key"])
	record(t, svc, id, "contact_changed_resent")
}

// TestANewBillingEmailReceivesTheDaysEmailAsItStandsNow: the day's
// email listing two invoices bounced; one is paid since; the new billing
// address receives that email again, once, listing only the invoice
// still owed.
func TestANewBillingEmailReceivesTheDaysEmailAsItStandsNow(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: 15 * time.Second, Webhooks: true})
	account := newAccount(t, svc, 1_000_000, 0)
	issued := time.Now().UTC().AddDate(0, 0, -35).Format(time.DateOnly)
	var lines []map[string]any
	for _, number := range []string{"TWO-1", "TWO-2"} {
		lines = append(lines, map[string]any{"account_id": account, "number": number, "amount": eurBody("300.00"), "issue_date": issued})
	}
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, lines)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	testenv.Eventually(t, time.Minute, "the day's reminder", func() bool {
		return len(svc.SendGrid.OfKind(email.KindInvoiceReminder)) == 1
	})
	m := svc.SendGrid.OfKind(email.KindInvoiceReminder)[0]
	require.Contains(t, m.Subject, "2 invoices")
	now := time.Now()
	resp = svc.PostEvents(t, []map[string]any{m.Event("bounce", "ev-two", now)}, now)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	pay(t, svc, workflows.InvoiceID(account, "TWO-1"), "300.00")

	const address = "payables@acme.example"
	resp = svc.Call(t, http.MethodPatch, "/api/v1/accounts/"+account, testenv.Rep, map[string]any{"billing_email": address})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	testenv.Eventually(t, 30*time.Second, "the day's email sent again", func() bool {
		for _, sent := range svc.SendGrid.OfKind(email.KindInvoiceReminder) {
			if sent.To()[0] == address {
				return true
			}
		}
		return false
	})
	var again []testenv.SentMail
	for _, sent := range svc.SendGrid.OfKind(email.KindInvoiceReminder) {
		if sent.To()[0] == address {
			again = append(again, sent)
		}
	}
	require.Len(t, again, 1)
	require.Equal(t, m.CustomArgs["email_key"]+"/to/"+address, again[0].CustomArgs["email_key"])
	require.Contains(t, again[0].Text(), "TWO-2")
	require.NotContains(t, again[0].Text(), "TWO-1", "paid since the email bounced")
	require.Equal(t, workflows.InvoiceID(account, "TWO-2"), again[0].CustomArgs["invoice_id"], "one invoice: its own reminder's wording")
}

// TestAReassignedAccountsOpenEscalationIsTheNewRepsToAcknowledge: an
// escalation still waiting when the account changes hands moves with it:
// the new rep lists and acknowledges it, the old one (who no longer sees
// the account) cannot, and the move is on the timeline.
func TestAReassignedAccountsOpenEscalationIsTheNewRepsToAcknowledge(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 100000, 0)
	inv := issueInvoice(t, svc, account, "2025-0009", "800.00", 26)
	waitForEmails(t, svc, inv.ID, 4)
	escalationID := svc.SendGrid.OfKind("sales_escalation")[0].CustomArgs["escalation_id"]
	require.NotEmpty(t, escalationID)

	resp := svc.Call(t, http.MethodPatch, "/api/v1/accounts/"+account, testenv.Admin, map[string]any{"sales_rep": testenv.OtherRep})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.Equal(t, [][]string{{escalationID}},
		pagesOf(t, svc, testenv.OtherRep, "/api/v1/escalations?status=open&status=overdue", func(e credit.Escalation) string { return e.ID }))

	ack := func(user string) testenv.Response {
		return svc.Call(t, http.MethodPost, "/api/v1/escalations/"+escalationID+"/acknowledge", user, map[string]any{"note": "I have the account now"})
	}
	requireProblemStatus(t, ack(testenv.Rep), http.StatusForbidden, "the old rep")
	resp = ack(testenv.OtherRep)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var e credit.Escalation
	resp.JSON(t, &e)
	require.Equal(t, credit.EscalationAcknowledged, e.Status)
	require.Equal(t, testenv.OtherRep, e.SalesRep)

	var timeline struct{ Items []credit.TimelineEntry }
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+account+"/timeline?limit=200", testenv.Analyst, nil).JSON(t, &timeline)
	var changed []string
	for _, en := range timeline.Items {
		if en.Kind == "account_changed" {
			changed = append(changed, en.Summary)
		}
	}
	require.Equal(t, []string{"Changed by " + testenv.Admin + ": sales rep from " + testenv.Rep + " to " + testenv.OtherRep +
		"; 1 open escalation(s) moved to " + testenv.OtherRep}, changed)
}
