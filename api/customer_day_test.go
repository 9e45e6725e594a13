package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// TestFiftyInvoicesDueTogetherGoOutInOneEmail: a customer whose fifty
// invoices fell due together receives one reminder listing them all, each
// invoice's step records that email, and the next reminder day's email
// no longer lists the invoice paid in between.
func TestFiftyInvoicesDueTogetherGoOutInOneEmail(t *testing.T) {
	t.Parallel()
	// A policy day of 15 s: the day's email waits 1.5 s for the others,
	// and the second reminder (day +7) comes two policy days later.
	svc := testenv.StartService(t, testenv.Options{Day: 15 * time.Second})
	account := newAccount(t, svc, 1_000_000, 0)
	now := time.Now().UTC()
	issued := now.AddDate(0, 0, -35).Format(time.DateOnly) // net 30: five days overdue
	var lines []map[string]any
	for k := range 50 {
		lines = append(lines, map[string]any{"account_id": account, "number": fmt.Sprintf("DAY-%02d", k+1),
			"amount": map[string]any{"amount": fmt.Sprintf("%d.00", 100+k), "currency": "EUR"}, "issue_date": issued})
	}
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, lines)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.EqualValues(t, 50, resp.Map(t)["created"], string(resp.Body))

	ctx := context.Background()
	stepsRecorded := func(action string) (steps, emails int) {
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*), count(DISTINCT d.email_key)
			FROM dunning_steps d JOIN invoices i ON i.id = d.invoice_id WHERE i.account_id = $1 AND d.action = $2`,
			account, action).Scan(&steps, &emails))
		return steps, emails
	}
	testenv.Eventually(t, time.Minute, "the fifty reminders recorded", func() bool {
		n, _ := stepsRecorded("reminder")
		return n == 50
	})
	reminders := svc.SendGrid.OfKind("invoice_reminder")
	require.Len(t, reminders, 1, "fifty invoices due together: one email")
	m := reminders[0]
	require.Equal(t, []string{billing}, m.To())
	require.Equal(t, "Payment reminder: 50 invoices for Acme Tools GmbH (EUR 6,225.00)", m.Subject)
	for k := range 50 {
		require.Contains(t, m.Text(), fmt.Sprintf("- DAY-%02d: EUR %d.00 open, due %s (5 days overdue)", k+1, 100+k,
			now.AddDate(0, 0, -5).Format(time.DateOnly)))
	}
	require.Contains(t, m.Text(), "Open in all: EUR 6,225.00.")
	require.Contains(t, m.HTMLBody(), "<td style=\"padding: 4px 12px 4px 0;\"><strong>DAY-50</strong></td>")
	steps, emails := stepsRecorded("reminder")
	require.Equal(t, 50, steps)
	require.Equal(t, 1, emails, "every step records the one email")
	var listed []string
	require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT invoice_ids FROM emails WHERE email_key = $1`,
		m.CustomArgs["email_key"]).Scan(&listed))
	require.Len(t, listed, 50)
	t.Logf("50 invoices due together: %d email to %s, %q; %d reminder steps recorded, in %d email", len(reminders), billing, m.Subject, steps, emails)
	require.Empty(t, m.CustomArgs["invoice_id"], "the invoices are kept in the outbox, not in SendGrid's bounded custom_args")

	first := workflows.InvoiceID(account, "DAY-01")
	got := readInvoice(t, svc, first)
	require.Len(t, got.StepsTaken, 1)
	require.Equal(t, "sent to "+billing+", in one email with the account's 50 invoices of the day", got.StepsTaken[0].Outcome)

	// Paid in between: the second reminders, two policy days later, go out
	// as one email without it.
	pay(t, svc, first, "100.00")
	testenv.Eventually(t, 2*time.Minute, "the second reminders recorded", func() bool {
		n, _ := stepsRecorded("second_reminder")
		return n == 49
	})
	reminders = svc.SendGrid.OfKind("invoice_reminder")
	require.Len(t, reminders, 2, "one email on each reminder day")
	second := reminders[1]
	require.Contains(t, second.Subject, "49 invoices")
	require.NotContains(t, second.Text(), "DAY-01")
	require.Contains(t, second.Text(), "DAY-02")
	require.NotEqual(t, m.CustomArgs["email_key"], second.CustomArgs["email_key"])

	record(t, svc, workflows.CustomerDayWorkflowID(account, now.Format(time.DateOnly)), "customer_day_fifty_invoices")
	record(t, svc, workflows.InvoiceWorkflowID(first), "invoice_one_email_a_day_paid")
}
