package activities_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
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
	reminder := activities.InvoiceEmail{Key: "invoice/inv_1/day-31-reminder", Kind: email.KindInvoiceReminder, InvoiceID: inv.ID, DaysPastDue: 1}

	_, err := st.RecordPayment(context.Background(), inv.ID, credit.Payment{ID: "pay_1", Amount: money.New(50000, "EUR"), ReceivedAt: time.Now(), By: "analyst@example.com"})
	require.NoError(t, err)
	sent := run[activities.SentEmail](t, a, a.SendInvoiceEmail, reminder)
	require.Equal(t, activities.EmailSkipped, sent.Status)
	require.Empty(t, outbox(t, st, email.KindInvoiceReminder))
}

func TestStartDunningSendsCustomerStepsAtNineInTheAccountsTimeZone(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	inv := invoiceFixture(t, st, "America/New_York")
	now := time.Date(2025, 1, 1, 15, 0, 0, 0, time.UTC) // 10:00 in New York on the issue date
	plan := run[activities.DunningPlan](t, a, a.StartDunning, activities.DunningStart{Invoice: inv, Now: now})

	require.Equal(t, policy.SegmentStandard, plan.Segment, "a new account is standard")
	require.Equal(t, now, plan.Issued)
	require.Equal(t, 30, plan.DueDay)
	ny, _ := time.LoadLocation("America/New_York")
	var reminder activities.PlannedStep
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
	start := activities.DunningStart{Invoice: inv, Now: time.Now()}
	require.True(t, run[activities.DunningPlan](t, a, a.StartDunning, start).ExposureHold)
	require.True(t, run[activities.DunningPlan](t, a, a.StartDunning, start).ExposureHold, "a retry gets the same answer (the outbox key keeps the email to one)")
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
		Mail: email.NewSendGrid("SG.key", sg.URL), From: "credit@example.com"}
	inv := invoiceFixture(t, st, "UTC")

	sg.FailNext(http.StatusBadRequest)
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.SendInvoiceEmail, activities.InvoiceEmail{
		Key: "invoice/inv_1/day-31-reminder", Kind: email.KindInvoiceReminder, InvoiceID: inv.ID, DaysPastDue: 1})
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.Equal(t, activities.ErrTypeEmailRejected, appErr.Type())

	sent := run[activities.SentEmail](t, a, a.SendInvoiceEmail, activities.InvoiceEmail{
		Key: "invoice/inv_1/contact-missing/day-31-reminder", Kind: email.KindContactMissing, InvoiceID: inv.ID,
		DaysPastDue: 1, Reason: appErr.Message()})
	require.Equal(t, []string{"rep@example.com"}, sent.To)
	mails := sg.OfKind(email.KindContactMissing)
	require.Len(t, mails, 1)
	require.Contains(t, mails[0].Text(), "ap@acme.example")
	require.Contains(t, mails[0].Text(), "400")
}
