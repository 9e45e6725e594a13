package activities_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// TestAnInvoicePaidBeforeTheDaysEmailDropsOutOfIt: the day's email
// re-reads its invoices when it is about to go; a paid and a disputed one
// drop out, saying why.
func TestAnInvoicePaidBeforeTheDaysEmailDropsOutOfIt(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	first := invoiceFixture(t, st, "UTC")
	second := credit.Invoice{ID: "inv_2", AccountID: "acc_1", Number: "2025-2", Amount: money.New(70000, "EUR"),
		IssueDate: "2025-01-01", DueDate: "2025-01-31", CreatedBy: "analyst@example.com"}
	require.NoError(t, st.CreateInvoice(context.Background(), second))
	third := credit.Invoice{ID: "inv_3", AccountID: "acc_1", Number: "2025-3", Amount: money.New(9000, "EUR"),
		IssueDate: "2025-01-01", DueDate: "2025-01-31", CreatedBy: "analyst@example.com"}
	require.NoError(t, st.CreateInvoice(context.Background(), third))
	_, err := st.Pool.Exec(context.Background(), `UPDATE invoices SET status = 'disputed' WHERE id = 'inv_3'`)
	require.NoError(t, err)
	_, err = st.RecordPayment(context.Background(), first.ID, credit.Payment{ID: "pay_1", Amount: money.New(50000, "EUR"),
		ReceivedAt: time.Now(), By: "analyst@example.com"})
	require.NoError(t, err)

	draft := run[workflows.CustomerEmailDraft](t, a, a.ComposeCustomerEmail, workflows.ComposeCustomerEmailInput{
		AccountID: "acc_1",
		Steps: []workflows.CustomerStep{
			{Key: "invoice/inv_1/day-31-reminder", InvoiceID: first.ID, Kind: email.KindInvoiceReminder, DaysPastDue: 1},
			{Key: "invoice/inv_2/day-31-reminder", InvoiceID: second.ID, Kind: email.KindInvoiceReminder, DaysPastDue: 1},
			{Key: "invoice/inv_3/day-31-reminder", InvoiceID: third.ID, Kind: email.KindInvoiceReminder, DaysPastDue: 1},
		},
	})
	require.Equal(t, []workflows.DroppedInvoice{{InvoiceID: first.ID, Why: "nothing is owed any more"},
		{InvoiceID: third.ID, Why: "the invoice is disputed"}}, draft.Dropped)
	require.Len(t, draft.Owed, 1)
	require.Equal(t, workflows.CustomerInvoice{InvoiceID: second.ID, Number: "2025-2", Amount: workflows.MoneyOf(second.Amount),
		Balance: workflows.MoneyOf(second.Amount), DueDate: "2025-01-31", DaysPastDue: 1}, draft.Owed[0])
}

// TestTheDaysEmailReadsWellWithOneInvoiceOrAHundredAndFifty: one invoice
// reads as its own reminder always has; many are listed with their
// number, balance, due date and how late, the first hundred one by one.
func TestTheDaysEmailReadsWellWithOneInvoiceOrAHundredAndFifty(t *testing.T) {
	_, st := testenv.Database(t)
	sg, stop := testenv.StartFakeSendGrid()
	defer stop()
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour, From: "credit@example.com",
		Mail: sendgrid.New("SG.key", sg.URL)}
	inv := invoiceFixture(t, st, "UTC")

	one := []workflows.CustomerInvoice{{InvoiceID: inv.ID, Number: inv.Number, Amount: workflows.MoneyOf(inv.Amount),
		Balance: workflows.MoneyOf(inv.Amount), DueDate: inv.DueDate, DaysPastDue: 1}}
	sent := run[workflows.SentEmail](t, a, a.SendCustomerEmail, workflows.CustomerEmail{
		Key: "customer-day/acc_1/2025-02-01/one", AccountID: "acc_1", Kind: email.KindInvoiceReminder, Invoices: one})
	require.Equal(t, []string{"ap@acme.example"}, sent.To)
	m := sg.OfKind(email.KindInvoiceReminder)[0]
	require.Equal(t, "Payment reminder: invoice 2025-1 (EUR 500.00)", m.Subject)
	require.Contains(t, m.Text(), "Our records show invoice 2025-1 for Acme, due on 2025-01-31, still open with EUR 500.00 to pay (1 days past the due date).")
	require.Equal(t, inv.ID, m.CustomArgs["invoice_id"], "one invoice's email names it, as before")

	var many []workflows.CustomerInvoice
	for k := range 150 {
		many = append(many, workflows.CustomerInvoice{InvoiceID: fmt.Sprintf("inv_%03d", k), Number: fmt.Sprintf("N-%03d", k),
			Balance: workflows.MoneyOf(money.New(10000, "EUR")), DueDate: "2025-01-31", DaysPastDue: k%3 - 1})
	}
	many[149].Balance = workflows.MoneyOf(money.New(2500, "USD"))
	run[workflows.SentEmail](t, a, a.SendCustomerEmail, workflows.CustomerEmail{
		Key: "customer-day/acc_1/2025-02-01/many", AccountID: "acc_1", Kind: email.KindFinalNotice, Invoices: many})
	m = sg.OfKind(email.KindFinalNotice)[0]
	require.Equal(t, "Final notice: 150 invoices for Acme are overdue (EUR 14,900.00 and USD 25.00)", m.Subject)
	text := m.Text()
	require.Contains(t, text, "- N-000: EUR 100.00 open, due 2025-01-31 (due tomorrow)")
	require.Contains(t, text, "- N-001: EUR 100.00 open, due 2025-01-31 (due today)")
	require.Contains(t, text, "- N-002: EUR 100.00 open, due 2025-01-31 (1 day overdue)")
	require.Contains(t, text, "- N-099:")
	require.NotContains(t, text, "N-100")
	require.Contains(t, text, "And 50 more invoices, EUR 4,900.00 and USD 25.00 in all.")
	require.Contains(t, text, "Open in all: EUR 14,900.00 and USD 25.00.")
	require.Equal(t, 100, strings.Count(text, "\n- N-"))
	require.NotContains(t, strings.ToLower(text), "credit hold", "customers read of a review, never of a credit hold")
	require.Empty(t, m.CustomArgs["invoice_id"])

	rows := outbox(t, st, email.KindFinalNotice)
	require.Len(t, rows, 1)
	var listed []string
	require.NoError(t, st.Pool.QueryRow(context.Background(), `SELECT invoice_ids FROM emails WHERE email_key = $1`, rows[0].Key).Scan(&listed))
	require.Len(t, listed, 150, "the outbox keeps every invoice the email lists")
}
