package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// The invoice tests run end to end on a one-second policy day
// (CREDITFLOW_DAY=1s). Invoices are issued some days in the past, so that
// day 31 of a net-30 invoice comes within seconds, not half a minute.

const billing = "ap@customer.example"

// newAccount creates an active EUR account of testenv.Rep with a credit
// limit, and paidOnTime invoices paid within terms in the last months (3
// make a prompt payer).
func newAccount(t *testing.T, svc *testenv.Service, limit int64, paidOnTime int) string {
	t.Helper()
	ctx := context.Background()
	id := store.NewID("acc")
	_, err := svc.Store.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, 'Acme Tools GmbH', $2, 'active', 'EUR', $3, $4)`, id, billing, limit*100, testenv.Rep)
	require.NoError(t, err)
	for k := range paidOnTime {
		_, err := svc.Store.Pool.Exec(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, status, paid_at)
			VALUES ($1, $2, $3, 'EUR', 10000, 0, current_date - 60 - $4::int, current_date - 30 - $4::int, 'paid', now() - make_interval(days => 31 + $4::int))`,
			store.NewID("inv"), id, fmt.Sprintf("OLD-%d", k), k)
		require.NoError(t, err)
	}
	return id
}

func daysAgo(n int) string { return time.Now().UTC().AddDate(0, 0, -n).Format(time.DateOnly) }

func eurBody(amount string) map[string]any {
	return map[string]any{"amount": amount, "currency": "EUR"}
}

func issueInvoice(t *testing.T, svc *testenv.Service, accountID, number, amount string, ageDays int) credit.Invoice {
	t.Helper()
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": accountID, "number": number, "amount": eurBody(amount), "issue_date": daysAgo(ageDays),
	})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var inv credit.Invoice
	resp.JSON(t, &inv)
	return inv
}

func readInvoice(t *testing.T, svc *testenv.Service, id string) credit.Invoice {
	t.Helper()
	var inv credit.Invoice
	resp := svc.Call(t, http.MethodGet, "/api/v1/invoices/"+id, testenv.Analyst, nil)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp.JSON(t, &inv)
	return inv
}

// bankReferences numbers the payments pay records: the same reference on
// an invoice is the same payment.
var bankReferences atomic.Int64

func pay(t *testing.T, svc *testenv.Service, id, amount string) credit.Invoice {
	t.Helper()
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+id+"/payments", testenv.Analyst, map[string]any{
		"amount": eurBody(amount), "received_at": time.Now().UTC().Format(time.RFC3339),
		"reference": fmt.Sprintf("bank %d", 4711+bankReferences.Add(1)),
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var inv credit.Invoice
	resp.JSON(t, &inv)
	return inv
}

// kinds lists the kinds of the emails the fake SendGrid accepted about an
// invoice, in order.
func kinds(svc *testenv.Service, invoiceID string) []string {
	var out []string
	for _, m := range svc.SendGrid.Accepted() {
		if m.CustomArgs["invoice_id"] == invoiceID {
			out = append(out, m.CustomArgs["kind"])
		}
	}
	return out
}

func waitForEmails(t *testing.T, svc *testenv.Service, invoiceID string, n int) {
	t.Helper()
	testenv.Eventually(t, 45*time.Second, fmt.Sprintf("%d emails about %s", n, invoiceID), func() bool {
		return len(kinds(svc, invoiceID)) >= n
	})
}

func TestPromptPayerGetsOneReminderOnDay31(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 100000, 3)
	inv := issueInvoice(t, svc, account, "2025-0001", "1200.00", 28) // day 31 in 3 seconds

	waitForEmails(t, svc, inv.ID, 1)
	var got credit.Invoice
	testenv.Eventually(t, 10*time.Second, "the reminder among the steps taken", func() bool {
		got = readInvoice(t, svc, inv.ID)
		return len(got.StepsTaken) > 0
	})
	require.Equal(t, "prompt", got.Segment)
	require.Len(t, got.StepsTaken, 1)
	require.Equal(t, "reminder", got.StepsTaken[0].Action)
	require.Equal(t, "sent to "+billing, got.StepsTaken[0].Outcome)
	require.NotNil(t, got.NextStep)
	require.Equal(t, "escalate", got.NextStep.Action)

	paid := pay(t, svc, inv.ID, "1200.00")
	require.Equal(t, credit.InvoicePaid, paid.Status)
	time.Sleep(2 * time.Second)
	require.Equal(t, []string{"invoice_reminder"}, kinds(svc, inv.ID), "one reminder, on day 31, and nothing before or after")
	m := svc.SendGrid.OfKind("invoice_reminder")[0]
	require.Equal(t, []string{billing}, m.To())
	require.True(t, strings.HasPrefix(m.CustomArgs["email_key"], "customer-day/"+account+"/"),
		"the reminder goes out in the account's email of its day: %s", m.CustomArgs["email_key"])
	require.Equal(t, inv.ID, m.CustomArgs["invoice_id"], "an email of one invoice names it")
	record(t, svc, workflows.InvoiceWorkflowID(inv.ID), "invoice_prompt_paid")
}

func TestStandardCadenceEscalationAcknowledgementAndPayment(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 100000, 0)
	inv := issueInvoice(t, svc, account, "2025-0002", "800.00", 26) // courtesy notice on day 27: in a second

	waitForEmails(t, svc, inv.ID, 4)
	require.Equal(t, []string{"courtesy_notice", "invoice_reminder", "invoice_reminder", "sales_escalation"}, kinds(svc, inv.ID))
	esc := svc.SendGrid.OfKind("sales_escalation")[0]
	require.Equal(t, []string{testenv.Rep}, esc.To())
	require.Contains(t, esc.Text(), "2025-0002", "the rep sees the open invoices")
	require.Contains(t, esc.Text(), "Reminders already sent to the customer: 3")
	escalationID := esc.CustomArgs["escalation_id"]
	require.NotEmpty(t, escalationID)

	// Only the account's rep acknowledges, with a pause of at most 14 days.
	ack := func(user string, body map[string]any) testenv.Response {
		return svc.Call(t, http.MethodPost, "/api/v1/escalations/"+escalationID+"/acknowledge", user, body)
	}
	require.Equal(t, http.StatusForbidden, ack(testenv.OtherRep, map[string]any{"note": "not mine"}).Status)
	issued, _ := time.Parse(time.DateOnly, inv.IssueDate)
	tooLong := ack(testenv.Rep, map[string]any{"note": "talking to them", "pause_until": issued.AddDate(0, 0, 70).Format(time.DateOnly)})
	require.Equal(t, http.StatusUnprocessableEntity, tooLong.Status, string(tooLong.Body))
	require.Contains(t, string(tooLong.Body), "pause_until")
	resp := ack(testenv.Rep, map[string]any{"note": "their CFO pays next week", "pause_until": issued.AddDate(0, 0, 50).Format(time.DateOnly)})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var e credit.Escalation
	resp.JSON(t, &e)
	require.Equal(t, credit.EscalationAcknowledged, e.Status)
	require.Equal(t, http.StatusConflict, ack(testenv.Rep, map[string]any{"note": "again"}).Status)

	require.Equal(t, credit.InvoicePaid, pay(t, svc, inv.ID, "800.00").Status)
	waitForEmails(t, svc, inv.ID, 5)
	time.Sleep(time.Second)
	require.Equal(t, []string{"courtesy_notice", "invoice_reminder", "invoice_reminder", "sales_escalation", "payment_received"}, kinds(svc, inv.ID),
		"no overdue escalation after the acknowledgement; the rep hears of the payment")

	var timeline struct{ Items []credit.TimelineEntry }
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+account+"/timeline?limit=200", testenv.Rep, nil).JSON(t, &timeline)
	var seen []string
	for _, en := range timeline.Items {
		seen = append(seen, en.Kind)
	}
	require.Contains(t, seen, "escalation_acknowledged")
	require.Contains(t, seen, "payment_received")
	record(t, svc, workflows.InvoiceWorkflowID(inv.ID), "invoice_escalated_acknowledged_paid")
	record(t, svc, workflows.EscalationWorkflowID(escalationID), "escalation_acknowledged")
}

func TestHoldOnExposureAndItsRelease(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 1000, 0)
	check := func(amount string) credit.CreditCheck {
		var c credit.CreditCheck
		resp := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+account+"/credit-checks", testenv.Rep, map[string]any{"amount": eurBody(amount)})
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		resp.JSON(t, &c)
		return c
	}
	require.True(t, check("500.00").Approved)

	inv := issueInvoice(t, svc, account, "2025-0003", "1500.00", 0) // over the 1,000 limit
	waitForEmails(t, svc, inv.ID, 1)
	require.Equal(t, []string{"credit_hold"}, kinds(svc, inv.ID))
	require.Equal(t, []string{testenv.Rep}, svc.SendGrid.OfKind("credit_hold")[0].To())
	var a credit.Account
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+account, testenv.Rep, nil).JSON(t, &a)
	require.Equal(t, credit.AccountOnHold, a.Status)
	require.Len(t, a.OpenInvoices, 1, "the account shows its open invoices")
	require.Equal(t, inv.ID, a.OpenInvoices[0].ID)
	refused := check("10.00")
	require.False(t, refused.Approved)
	require.Contains(t, refused.Reason, "hold")

	pay(t, svc, inv.ID, "600.00") // exposure 900: within the limit again
	waitForEmails(t, svc, inv.ID, 2)
	svc.Call(t, http.MethodGet, "/api/v1/accounts/"+account, testenv.Rep, nil).JSON(t, &a)
	require.Equal(t, credit.AccountActive, a.Status)
	require.Equal(t, []string{"credit_hold", "hold_released"}, kinds(svc, inv.ID))
	require.True(t, check("100.00").Approved)
	require.False(t, check("100.01").Approved, "beyond the available credit of 100.00")

	pay(t, svc, inv.ID, "900.00")
	waitForEmails(t, svc, inv.ID, 3)
	require.Equal(t, []string{"credit_hold", "hold_released", "payment_received"}, kinds(svc, inv.ID))
	record(t, svc, workflows.InvoiceWorkflowID(inv.ID), "invoice_exposure_hold_released")
}

func TestImportOfAFortyDayOldInvoice(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 100000, 0)
	line := func(number string, age int) string {
		return fmt.Sprintf(`{"account_id":%q,"number":%q,"amount":{"amount":"300.00","currency":"EUR"},"issue_date":%q}`, account, number, daysAgo(age))
	}
	body := strings.Join([]string{
		line("OLD-40", 40),
		"",
		line("OLD-40", 40), // twice in one file
		`{"account_id":"acc_nope","number":"X","amount":{"amount":"1.00","currency":"EUR"},"issue_date":"2025-01-01"}`,
		`{"number": 5}`,
	}, "\n")
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, body, "Content-Type", "application/x-ndjson")
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var report struct {
		Created, Duplicates, Errors int
		Lines                       []struct {
			Line      int
			Status    string
			InvoiceID string `json:"invoice_id"`
			Errors    []struct{ Field string }
		}
	}
	resp.JSON(t, &report)
	require.Equal(t, 1, report.Created)
	require.Equal(t, 1, report.Duplicates)
	require.Equal(t, 2, report.Errors)
	require.Equal(t, []int{1, 3, 4, 5}, []int{report.Lines[0].Line, report.Lines[1].Line, report.Lines[2].Line, report.Lines[3].Line})
	require.Equal(t, "account_id", report.Lines[2].Errors[0].Field)
	require.Equal(t, "number", report.Lines[3].Errors[0].Field)
	id := report.Lines[0].InvoiceID

	// Day 40 of a net-30 invoice: the courtesy notice and the day-31
	// reminder have passed and are not replayed; the second one goes out.
	waitForEmails(t, svc, id, 1)
	time.Sleep(time.Second)
	require.Equal(t, []string{"invoice_reminder"}, kinds(svc, id))
	var got credit.Invoice
	testenv.Eventually(t, 10*time.Second, "the reminder among the steps taken", func() bool {
		got = readInvoice(t, svc, id)
		return len(got.StepsTaken) > 0
	})
	require.GreaterOrEqual(t, got.DaysOverdue, 10)
	require.Equal(t, "second_reminder", got.StepsTaken[0].Action)

	again := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, "["+line("OLD-40", 40)+"]")
	require.Equal(t, http.StatusOK, again.Status, string(again.Body))
	require.Contains(t, string(again.Body), `"duplicates":1`)
	pay(t, svc, id, "300.00")
}

func TestInvoiceAnswers(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 100000, 0)
	inv := issueInvoice(t, svc, account, "A-1", "100.00", 0)

	dup := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": account, "number": "A-1", "amount": eurBody("5.00"), "issue_date": daysAgo(0),
	})
	require.Equal(t, http.StatusConflict, dup.Status, "a number is unique per account")
	future := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": account, "number": "A-2", "amount": eurBody("5.00"), "issue_date": time.Now().UTC().AddDate(0, 0, 3).Format(time.DateOnly),
	})
	require.Equal(t, http.StatusUnprocessableEntity, future.Status, string(future.Body))
	require.Contains(t, string(future.Body), "issue_date")

	tooMuch := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/payments", testenv.Analyst, map[string]any{
		"amount": eurBody("100.01"), "received_at": time.Now().UTC().Format(time.RFC3339),
	})
	require.Equal(t, http.StatusUnprocessableEntity, tooMuch.Status)
	require.Contains(t, string(tooMuch.Body), "amount.amount")

	madeUp := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/disputes", testenv.Rep, map[string]any{
		"reason": "wrong price", "department": "billing", "owner_email": "billing.lead@example.com",
	})
	require.Equal(t, http.StatusUnprocessableEntity, madeUp.Status, "Creditflow writes only to its users: %s", madeUp.Body)
	require.Contains(t, string(madeUp.Body), "owner_email")

	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/disputes", testenv.Rep, map[string]any{
		"reason": "wrong price", "department": "billing", "owner_email": testenv.CreditManager,
	})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var d credit.Dispute
	resp.JSON(t, &d)
	require.Equal(t, credit.InvoiceDisputed, readInvoice(t, svc, inv.ID).Status)
	waitForEmails(t, svc, inv.ID, 1)
	require.Equal(t, []string{testenv.CreditManager}, svc.SendGrid.OfKind("dispute_opened")[0].To())

	resp = svc.Call(t, http.MethodPost, "/api/v1/disputes/"+d.ID+"/resolve", testenv.Analyst, map[string]any{
		"resolution": "price corrected", "credit_note": eurBody("100.00"),
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	testenv.Eventually(t, 10*time.Second, "the credit note to settle the invoice", func() bool {
		return readInvoice(t, svc, inv.ID).Status == credit.InvoicePaid
	})
	again := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/disputes", testenv.Rep, map[string]any{
		"reason": "late", "department": "billing", "owner_email": testenv.CreditManager,
	})
	require.Equal(t, http.StatusConflict, again.Status, "a paid invoice is not disputed")

	note := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+account+"/notes", testenv.Rep, map[string]any{"body": "moving offices", "department": "logistics"})
	require.Equal(t, http.StatusCreated, note.Status, string(note.Body))
	bad := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+account+"/notes", testenv.Rep, map[string]any{"body": "x", "department": "legal"})
	require.Equal(t, http.StatusUnprocessableEntity, bad.Status)
	require.Contains(t, string(bad.Body), "department")

	wo := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/write-off", testenv.CreditManager, nil)
	require.Equal(t, http.StatusConflict, wo.Status, "a paid invoice is not written off")
}

// TestDisputePromiseAndPaymentsInTwoParts: a dispute pauses the
// follow-up and its resolution lowers the balance by a credit note; a
// promise holds the reminders, and two payments keep it.
func TestDisputePromiseAndPaymentsInTwoParts(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 100000, 0)
	inv := issueInvoice(t, svc, account, "2025-0005", "1000.00", 26) // courtesy notice on day 27: in a second
	waitForEmails(t, svc, inv.ID, 1)

	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/disputes", testenv.Rep, map[string]any{
		"reason": "two items arrived broken", "department": "logistics", "owner_email": testenv.Analyst,
	})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var d credit.Dispute
	resp.JSON(t, &d)
	promise := func() testenv.Response {
		issued, _ := time.Parse(time.DateOnly, inv.IssueDate)
		return svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/promises", testenv.Rep, map[string]any{
			"promised_date": issued.AddDate(0, 0, 45).Format(time.DateOnly), "amount": eurBody("800.00"),
		})
	}
	require.Equal(t, http.StatusConflict, promise().Status, "no promise on a disputed invoice")
	waitForEmails(t, svc, inv.ID, 2)
	require.Equal(t, []string{testenv.Analyst}, svc.SendGrid.OfKind("dispute_opened")[0].To())

	resp = svc.Call(t, http.MethodPost, "/api/v1/disputes/"+d.ID+"/resolve", testenv.Analyst, map[string]any{
		"resolution": "credit note for the broken items", "credit_note": eurBody("200.00"),
	})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	resp = promise()
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var promised credit.Invoice
	resp.JSON(t, &promised)
	require.Equal(t, "800.00", promised.Balance.String())
	require.NotNil(t, promised.NextStep)
	require.Contains(t, promised.NextStep.Reason, "promise to pay")

	require.Equal(t, "500.00", pay(t, svc, inv.ID, "300.00").Balance.String())
	require.Equal(t, credit.InvoicePaid, pay(t, svc, inv.ID, "500.00").Status)
	time.Sleep(2 * time.Second)
	require.Equal(t, []string{"courtesy_notice", "dispute_opened"}, kinds(svc, inv.ID),
		"no reminder while disputed or promised, nothing after the payment")

	// The invoice shows its history: the dispute and how it ended, the
	// promise kept by the payments, the two payments.
	got := readInvoice(t, svc, inv.ID)
	require.Len(t, got.Disputes, 1)
	require.Equal(t, credit.DisputeResolved, got.Disputes[0].Status)
	require.Equal(t, "200.00", got.Disputes[0].CreditNote.String())
	require.Len(t, got.Promises, 1)
	require.Equal(t, "800.00", got.Promises[0].Amount.String())
	require.Equal(t, testenv.Rep, got.Promises[0].By)
	require.Len(t, got.Payments, 2)
	require.Equal(t, []string{"300.00", "500.00"}, []string{got.Payments[0].Amount.String(), got.Payments[1].Amount.String()})
	require.Empty(t, items[credit.Invoice](t, svc, "/api/v1/invoices?account_id="+account, testenv.Analyst)[0].Payments,
		"lists show invoices without their history")
	record(t, svc, workflows.InvoiceWorkflowID(inv.ID), "invoice_disputed_promised_paid")
}

// TestUnacknowledgedEscalationGoesToTheManagerAndClosesWithThePayment: an
// invoice imported 43 days old escalates on day 44; the rep does not
// answer, their manager hears on day 47; the payment closes the escalation.
func TestUnacknowledgedEscalationGoesToTheManagerAndClosesWithThePayment(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{Day: time.Second})
	account := newAccount(t, svc, 100000, 0)
	inv := issueInvoice(t, svc, account, "2025-0006", "640.00", 43)

	waitForEmails(t, svc, inv.ID, 3)
	// The reminder goes out in the customer's email of the day, which
	// waits its window (a tenth of a policy day here) for the account's
	// other steps: the escalation's email may pass it; the steps keep
	// their order.
	require.ElementsMatch(t, []string{"invoice_reminder", "sales_escalation", "escalation_overdue"}, kinds(svc, inv.ID),
		"only the latest passed reminder, the escalation and, unanswered, the overdue notice")
	require.Equal(t, "escalation_overdue", kinds(svc, inv.ID)[2])
	var taken []string
	testenv.Eventually(t, 10*time.Second, "the reminder's and the escalation's steps recorded", func() bool {
		taken = nil
		for _, st := range readInvoice(t, svc, inv.ID).StepsTaken {
			taken = append(taken, st.Action)
		}
		return len(taken) == 2
	})
	require.Equal(t, []string{"second_reminder", "escalate"}, taken)
	// The account's picture counts days on the policy clock, as the
	// workflow does: day 44 is 14 days past due (calendar days: 13).
	require.Regexp(t, `2025-0006: EUR 640.00 of EUR 640.00 open, due \S+, 1[4-6] days overdue`, svc.SendGrid.OfKind("sales_escalation")[0].Text())
	overdue := svc.SendGrid.OfKind("escalation_overdue")[0]
	require.Equal(t, []string{testenv.SalesManager}, overdue.To(), "the rep's manager")
	require.Contains(t, overdue.Text(), "/desk/escalations/"+overdue.CustomArgs["escalation_id"])
	require.NotContains(t, overdue.Text(), "token=", "only the rep acknowledges: the manager's link asks to sign in")
	escalationID := overdue.CustomArgs["escalation_id"]

	require.Equal(t, credit.InvoicePaid, pay(t, svc, inv.ID, "640.00").Status)
	var e credit.Escalation
	testenv.Eventually(t, 10*time.Second, "the escalation to close", func() bool {
		var err error
		e, err = svc.Store.Escalation(context.Background(), escalationID)
		require.NoError(t, err)
		return e.Status == credit.EscalationClosed
	})
	late := svc.Call(t, http.MethodPost, "/api/v1/escalations/"+escalationID+"/acknowledge", testenv.Rep, map[string]any{"note": "sorry, was away"})
	require.Equal(t, http.StatusConflict, late.Status, string(late.Body))
	record(t, svc, workflows.InvoiceWorkflowID(inv.ID), "invoice_escalation_overdue_paid")
	record(t, svc, workflows.EscalationWorkflowID(escalationID), "escalation_overdue_closed")
}

// record keeps the workflow's history for the replay tests when
// CREDITFLOW_RECORD_HISTORIES is set.
func record(t *testing.T, svc *testenv.Service, workflowID, name string) {
	if !testenv.RecordHistories {
		return
	}
	testenv.Eventually(t, 20*time.Second, workflowID+" to close", func() bool {
		d, err := svc.Temporal.DescribeWorkflowExecution(context.Background(), workflowID, "")
		return err == nil && d.WorkflowExecutionInfo.CloseTime != nil
	})
	testenv.SaveHistory(t, svc.Temporal, workflowID, name)
}
