package activities_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// TestCustomerEmailsNeverSayCreditHold: the billing contact reads that
// the account is "under review", never "credit hold".
func TestCustomerEmailsNeverSayCreditHold(t *testing.T) {
	facts := map[string]string{"AccountName": "Acme", "InvoiceNumber": "2025-1", "Amount": "EUR 1.00", "Balance": "EUR 1.00",
		"DueDate": "2025-01-31", "DaysOverdue": "30", "DaysToDue": "3"}
	for _, kind := range []string{email.KindCourtesyNotice, email.KindInvoiceReminder, email.KindFinalNotice} {
		subject, text, html, err := email.Render(kind, facts)
		require.NoError(t, err)
		for _, part := range []string{subject, text, html} {
			require.NotContains(t, strings.ToLower(part), "credit hold", kind)
			require.NotContains(t, strings.ToLower(part), "credit_hold", kind)
		}
	}
	_, text, _, err := email.Render(email.KindFinalNotice, facts)
	require.NoError(t, err)
	require.Contains(t, text, "under review")
}

func invoiceFixture(t *testing.T, st *store.Store, tz string) credit.Invoice {
	t.Helper()
	ctx := context.Background()
	_, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep, time_zone)
		VALUES ('acc_1', 'Acme', 'ap@acme.example', 'active', 'EUR', 10000000, 'rep@example.com', $1)`, tz)
	require.NoError(t, err)
	inv := credit.Invoice{ID: "inv_1", AccountID: "acc_1", Number: "2025-1", Amount: money.New(50000, "EUR"),
		IssueDate: "2025-01-01", DueDate: "2025-01-31", CreatedBy: "analyst@example.com"}
	require.NoError(t, st.CreateInvoice(ctx, inv))
	return inv
}

func run[T any](t *testing.T, a *activities.Activities, fn any, args ...any) T {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(fn, args...)
	require.NoError(t, err)
	var out T
	require.NoError(t, v.Get(&out))
	return out
}

func TestReminderIsNotSentOnceTheInvoiceIsPaid(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour, From: "credit@example.com"}
	inv := invoiceFixture(t, st, "UTC")
	reminder := workflows.InvoiceEmail{Key: "invoice/inv_1/day-31-reminder", Kind: email.KindInvoiceReminder, InvoiceID: inv.ID, DaysPastDue: 1}

	_, err := st.RecordPayment(context.Background(), inv.ID, credit.Payment{ID: "pay_1", Amount: money.New(50000, "EUR"), ReceivedAt: time.Now(), By: "analyst@example.com"})
	require.NoError(t, err)
	sent := run[workflows.SentEmail](t, a, a.SendInvoiceEmail, reminder)
	require.Equal(t, workflows.EmailSkipped, sent.Status)
	require.Empty(t, outbox(t, st, email.KindInvoiceReminder))
}

func TestStartDunningSendsCustomerStepsAtNineInTheAccountsTimeZone(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	inv := invoiceFixture(t, st, "America/New_York")
	now := time.Date(2025, 1, 1, 15, 0, 0, 0, time.UTC) // 10:00 in New York on the issue date
	plan := run[workflows.DunningPlan](t, a, a.StartDunning, workflows.StartDunningInput{Invoice: invoicePayload(inv), Now: now})

	require.Equal(t, policy.SegmentStandard, plan.Segment, "a new account is standard")
	require.Equal(t, now, plan.Issued)
	require.Equal(t, 30, plan.DueDay)
	ny, _ := time.LoadLocation("America/New_York")
	var reminder workflows.PlannedStep
	for _, s := range plan.Steps {
		if s.Label == "reminder" {
			reminder = s
		}
	}
	require.Equal(t, time.Date(2025, 2, 1, 9, 0, 0, 0, ny), reminder.At.In(ny), "day 31 at 09:00 local")
}

func TestExposureOverTheLimitPutsTheAccountOnHoldUntilPaid(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: time.Second}
	inv := invoiceFixture(t, st, "UTC")
	_, err := st.Pool.Exec(ctx, `UPDATE accounts SET credit_limit = 100 WHERE id = 'acc_1'`)
	require.NoError(t, err)
	start := workflows.StartDunningInput{Invoice: invoicePayload(inv), Now: time.Now()}
	require.True(t, run[workflows.DunningPlan](t, a, a.StartDunning, start).ExposureHold)
	require.True(t, run[workflows.DunningPlan](t, a, a.StartDunning, start).ExposureHold, "a retry gets the same answer (the outbox key keeps the email to one)")
	account, err := st.Account(ctx, "acc_1")
	require.NoError(t, err)
	require.Equal(t, credit.AccountOnHold, account.Status)

	s, err := st.RecordPayment(ctx, inv.ID, credit.Payment{ID: "pay_1", Amount: money.New(50000, "EUR"), ReceivedAt: time.Now(), By: "x@example.com"})
	require.NoError(t, err)
	require.True(t, s.Released)
	s, err = st.RecordPayment(ctx, inv.ID, credit.Payment{ID: "pay_1", Amount: money.New(50000, "EUR"), ReceivedAt: time.Now(), By: "x@example.com"})
	require.NoError(t, err)
	require.True(t, s.Released, "a retried payment gives the same answer")
	require.Equal(t, credit.InvoicePaid, s.Invoice.Status)
}

// TestRefusedBillingAddressReachesTheRep: SendGrid refuses the reminder
// for good; the contact_missing email to the rep names the address.
func TestRefusedBillingAddressReachesTheRep(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour,
		Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com"}
	inv := invoiceFixture(t, st, "UTC")

	sg.RejectAddressNext()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.SendInvoiceEmail, workflows.InvoiceEmail{
		Key: "invoice/inv_1/day-31-reminder", Kind: email.KindInvoiceReminder, InvoiceID: inv.ID, DaysPastDue: 1})
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.Equal(t, workflows.ErrTypeEmailRejected, appErr.Type())

	sent := run[workflows.SentEmail](t, a, a.SendInvoiceEmail, workflows.InvoiceEmail{
		Key: "invoice/inv_1/contact-missing/day-31-reminder", Kind: email.KindContactMissing, InvoiceID: inv.ID,
		DaysPastDue: 1, Reason: appErr.Message()})
	require.Equal(t, []string{"rep@example.com"}, sent.To)
	mails := sg.OfKind(email.KindContactMissing)
	require.Len(t, mails, 1)
	require.Contains(t, mails[0].Text(), "ap@acme.example")
	require.Contains(t, mails[0].Text(), "400")
}

// invoicePayload is a stored invoice as its workflow carries it.
func invoicePayload(inv credit.Invoice) workflows.Invoice {
	return workflows.Invoice{ID: inv.ID, AccountID: inv.AccountID, Number: inv.Number, Amount: workflows.MoneyOf(inv.Amount),
		Balance: workflows.MoneyOf(inv.Balance), Status: inv.Status, IssueDate: inv.IssueDate, DueDate: inv.DueDate}
}

// The API starts an invoice's workflow, then writes its row; if it dies
// in between, the workflow's first step writes it.
func TestStartDunningWritesTheInvoiceTheAPIDidNot(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	_, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep, time_zone)
		VALUES ('acc_1', 'Acme', 'ap@acme.example', 'active', 'EUR', 10000000, 'rep@example.com', 'UTC')`)
	require.NoError(t, err)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	inv := workflows.Invoice{ID: workflows.InvoiceID("acc_1", "2025-7"), AccountID: "acc_1", Number: "2025-7",
		Amount: workflows.Money{Minor: 50000, Currency: "EUR"}, Balance: workflows.Money{Minor: 50000, Currency: "EUR"},
		Status: credit.InvoiceOpen, IssueDate: "2025-01-01", DueDate: "2025-01-31"}
	start := workflows.StartDunningInput{Invoice: inv, CreatedBy: "analyst@example.com", Now: time.Now()}

	run[workflows.DunningPlan](t, a, a.StartDunning, start)
	run[workflows.DunningPlan](t, a, a.StartDunning, start) // a retry writes nothing twice
	stored, err := st.Invoice(ctx, inv.ID)
	require.NoError(t, err)
	require.Equal(t, "2025-7", stored.Number)
	require.Equal(t, int64(50000), stored.Balance.Minor)
	require.NotNil(t, stored.DayZero, "and planned")
	entries, _, err := st.Timeline(ctx, "acc_1", 0, 10)
	require.NoError(t, err)
	require.Len(t, entries, 1, "one issued entry")

	// An invoice created before ids came from the business key holds the
	// number under another id: the workflow refuses, for good.
	_, err = st.Pool.Exec(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, created_by)
		VALUES ('inv_legacy', 'acc_1', '2025-8', 'EUR', 100, 100, '2025-01-01', '2025-01-31', 'x@example.com')`)
	require.NoError(t, err)
	dup := start
	dup.Invoice.ID, dup.Invoice.Number = workflows.InvoiceID("acc_1", "2025-8"), "2025-8"
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err = env.ExecuteActivity(a.StartDunning, dup)
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, workflows.ErrTypeDuplicate, appErr.Type())
	require.True(t, appErr.NonRetryable())
}
