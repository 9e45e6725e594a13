package api_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// BenchmarkReceivablesReport times GET /reports/receivables over HTTP on
// a ledger of 100,000 invoices (10,000 accounts, 200 reps, two
// currencies, with their payments, disputes, write-offs, customer
// emails, escalations, holds and decisions), written with COPY:
//
//	go test ./api -run '^$' -bench BenchmarkReceivablesReport -benchtime 20x
func BenchmarkReceivablesReport(b *testing.B) {
	svc := testenv.StartService(b, testenv.Options{})
	start := time.Now()
	repToken, n := seedLedger(b, svc, 100_000)
	b.Logf("ledger: %s written in %s", n, time.Since(start).Round(time.Millisecond))

	for _, c := range []struct {
		name, user string
		headers    []string
	}{
		{"json", testenv.CreditManager, nil},
		{"csv", testenv.CreditManager, []string{"Accept", "text/csv"}},
		{"json_one_rep", repToken, nil},
	} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				resp := svc.Call(b, http.MethodGet, "/api/v1/reports/receivables?as_of=2025-06-30", c.user, nil, c.headers...)
				if resp.Status != http.StatusOK {
					b.Fatalf("%d: %s", resp.Status, resp.Body)
				}
			}
		})
	}
}

// seedLedger writes invoices invoices and what happens around them, the
// same every run; it answers the token of one of the reps (rep0007) and
// what it wrote.
func seedLedger(tb testing.TB, svc *testenv.Service, invoices int) (string, string) {
	tb.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(2025, 6))
	asOf := time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC)
	const accounts, reps = 10_000, 200

	// One of the reps asks for their own report.
	repToken := store.NewToken()
	_, err := svc.Store.CreateUser(ctx, credit.User{Email: repEmail(7), Role: credit.RoleSales}, repToken)
	require.NoError(tb, err)

	var accountRows, invoiceRows, paymentRows, disputeRows, emailRows, escalationRows, holdRows, requestRows, decisionRows [][]any
	currencyOf := func(a int) string {
		if a%10 == 9 {
			return "USD"
		}
		return "EUR"
	}
	for a := range accounts {
		accountRows = append(accountRows, []any{fmt.Sprintf("acc_%05d", a), fmt.Sprintf("Customer %05d", a), "ap@example.com",
			"active", currencyOf(a), repEmail(a % reps), asOf.AddDate(-3, 0, 0)})
	}
	at := func(day time.Time, hours int) time.Time { return day.Add(time.Duration(hours) * time.Hour) }
	for k := range invoices {
		a := rng.IntN(accounts)
		account := fmt.Sprintf("acc_%05d", a)
		id := fmt.Sprintf("inv_%06d", k)
		issued := asOf.AddDate(0, 0, -rng.IntN(730))
		due := issued.AddDate(0, 0, 30)
		amount := int64(10_000 + rng.IntN(990_000))
		balance, status := amount, "open"
		var paidAt, writtenOffAt *time.Time
		age := int(asOf.Sub(issued).Hours() / 24)
		switch p := rng.Float64(); {
		case age > 60 && p < 0.85, age <= 60 && p < 0.3:
			// Paid in full: most around the due date, some partly first.
			received := at(due.AddDate(0, 0, rng.IntN(50)-10), 10)
			if rng.IntN(4) == 0 {
				first := at(issued.AddDate(0, 0, rng.IntN(20)), 9)
				paymentRows = append(paymentRows, []any{id + "_1", id, amount / 2, first, "analyst@example.com"})
				paymentRows = append(paymentRows, []any{id + "_2", id, amount - amount/2, received, "analyst@example.com"})
			} else {
				paymentRows = append(paymentRows, []any{id + "_1", id, amount, received, "analyst@example.com"})
			}
			balance, status, paidAt = 0, "paid", &received
		case age > 90 && p < 0.9:
			w := at(due.AddDate(0, 0, 90), 12)
			status, writtenOffAt = "written_off", &w
		case p < 0.95:
			// Partly paid, still open.
			part := amount / 3
			paymentRows = append(paymentRows, []any{id + "_1", id, part, at(due, 11), "analyst@example.com"})
			balance -= part
		default:
			// Disputed, settled by a credit note of a tenth.
			note := amount / 10
			disputeRows = append(disputeRows, []any{"dsp_" + id, id, "damaged", "logistics", "analyst@example.com", "resolved",
				note, "analyst@example.com", at(due, 8), at(due.AddDate(0, 0, 5), 8)})
			balance -= note
		}
		invoiceRows = append(invoiceRows, []any{id, account, "N" + id, currencyOf(a), amount, balance, issued, due, status,
			paidAt, writtenOffAt, at(issued, 8)})
		// The customer emails the dunning sent (some logged, not sent),
		// an escalation and a hold for the slow ones.
		for e := range rng.IntN(4) {
			kind := []string{"courtesy_notice", "invoice_reminder", "final_notice"}[e%3]
			emailStatus := "sent"
			if rng.IntN(10) == 0 {
				emailStatus = "logged"
			}
			emailRows = append(emailRows, []any{fmt.Sprintf("%s/%d", id, e), kind, []string{"ap@example.com"}, "s", "t", "h",
				account, emailStatus, at(due.AddDate(0, 0, 7*e-3), 9)})
		}
		if age > 45 && rng.IntN(20) == 0 {
			opened := at(due.AddDate(0, 0, 14), 9)
			var acknowledged *time.Time
			escStatus := "open"
			if rng.IntN(3) > 0 {
				t := opened.Add(time.Duration(1+rng.IntN(96)) * time.Hour)
				acknowledged, escStatus = &t, "acknowledged"
			}
			escalationRows = append(escalationRows, []any{"esc_" + id, account, id, repEmail(a % reps), escStatus, opened, acknowledged})
		}
		if age > 60 && rng.IntN(40) == 0 {
			placed := at(due.AddDate(0, 0, 30), 9)
			var released *time.Time
			if status == "paid" {
				released = paidAt
			}
			holdRows = append(holdRows, []any{"hold_" + id, account, id, "invoice", placed, released})
		}
	}
	for r := range 5_000 {
		a := rng.IntN(accounts)
		id := fmt.Sprintf("cr_%05d", r)
		created := at(asOf.AddDate(0, 0, -rng.IntN(365)), 8)
		requestRows = append(requestRows, []any{id, "limit_increase", fmt.Sprintf("acc_%05d", a), repEmail(a % reps),
			int64(5_000_000), currencyOf(a), "approved", created})
		by, decided := "creditflow", created.Add(3*time.Second)
		if rng.IntN(2) == 0 {
			by, decided = "analyst@example.com", created.Add(time.Duration(1+rng.IntN(120))*time.Hour)
		}
		decisionRows = append(decisionRows, []any{id, "decided", "approve", by, decided})
	}

	for _, c := range []struct {
		table   string
		columns []string
		rows    [][]any
	}{
		{"accounts", []string{"id", "name", "billing_email", "status", "currency", "sales_rep", "created_at"}, accountRows},
		{"invoices", []string{"id", "account_id", "number", "currency", "amount", "balance", "issue_date", "due_date", "status",
			"paid_at", "written_off_at", "created_at"}, invoiceRows},
		{"payments", []string{"id", "invoice_id", "amount", "received_at", "recorded_by"}, paymentRows},
		{"disputes", []string{"id", "invoice_id", "reason", "department", "owner_email", "status", "credit_note", "opened_by",
			"created_at", "resolved_at"}, disputeRows},
		{"emails", []string{"email_key", "kind", "recipients", "subject", "body_text", "body_html", "account_id", "status", "sent_at"}, emailRows},
		{"escalations", []string{"id", "account_id", "invoice_id", "sales_rep", "status", "created_at", "acknowledged_at"}, escalationRows},
		{"holds", []string{"hold_key", "account_id", "invoice_id", "cause", "placed_at", "released_at"}, holdRows},
		{"credit_requests", []string{"id", "kind", "account_id", "created_by", "requested_limit", "currency", "status", "created_at"}, requestRows},
		{"decisions", []string{"request_id", "event", "outcome", "decided_by", "decided_at"}, decisionRows},
	} {
		_, err := svc.Store.Pool.CopyFrom(ctx, pgx.Identifier{c.table}, c.columns, pgx.CopyFromRows(c.rows))
		require.NoError(tb, err, c.table)
	}
	// As autovacuum would soon after a bulk load: the planner's
	// statistics, and the visibility map that index-only scans read.
	_, err = svc.Store.Pool.Exec(ctx, "VACUUM ANALYZE")
	require.NoError(tb, err)
	return repToken, fmt.Sprintf("%d accounts, %d invoices, %d payments, %d credit notes, %d customer emails, %d escalations, %d holds, %d decisions",
		len(accountRows), len(invoiceRows), len(paymentRows), len(disputeRows), len(emailRows), len(escalationRows), len(holdRows), len(decisionRows))
}

func repEmail(r int) string { return fmt.Sprintf("rep%04d@example.com", r) }
