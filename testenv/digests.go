package testenv

import (
	"context"
	"fmt"
	"testing"

	"github.com/creditflow/creditflow/store"
)

// AccountOnHold inserts an account of rep on hold since its invoice
// passed its hold step: the invoice is overdueDays past due, the hold
// placed on day 30.
func AccountOnHold(t testing.TB, st *store.Store, rep, name string, overdueDays int) string {
	t.Helper()
	ctx := context.Background()
	id := store.NewID("acc")
	inv := store.NewID("inv")
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
			VALUES ($1, $2, 'ap@customer.example', 'on_hold', 'EUR', 5000000, $3)`, []any{id, name, rep}},
		{`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date)
			VALUES ($1, $2, $3, 'EUR', 250000, 250000, current_date - 30 - $4::int, current_date - $4::int)`,
			[]any{inv, id, "INV-" + name[:3], overdueDays}},
		{`INSERT INTO holds (hold_key, account_id, invoice_id, cause, put_on_hold, placed_at)
			VALUES ($1, $2, $3, 'invoice', true, now() - make_interval(days => $4::int - 30))`,
			[]any{"invoice/" + inv + "/hold", id, inv, overdueDays}},
	} {
		if _, err := st.Pool.Exec(ctx, q.sql, q.args...); err != nil {
			t.Fatalf("account on hold: %v", err)
		}
	}
	return id
}

// SeedPortfolio inserts reps sales reps (rep0000@scale.example …) and
// accounts accounts over them (each rep a run of consecutive accounts, so
// that each has some of every kind), as a company's receivables look:
// two invoices each, one in ten accounts with an invoice 45 days overdue
// and on hold, one in ten a slow payer, one in twenty with an open
// escalation, one in twenty-five with a promise due this week, one in
// fifty with a request waiting for credit, and decisions of the week.
// Direct inserts: 10,000 accounts take seconds.
func SeedPortfolio(t testing.TB, st *store.Store, reps, accounts int) {
	t.Helper()
	ctx := context.Background()
	for _, q := range []string{
		fmt.Sprintf(`INSERT INTO users (id, email, name, role, token_hash)
			SELECT 'usr_scale_' || r, 'rep' || lpad(r::text, 4, '0') || '@scale.example', 'Rep ' || r, 'sales',
				sha256(('scale-token-' || r)::bytea)
			FROM generate_series(0, %d) r`, reps-1),
		fmt.Sprintf(`INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep, segment)
			SELECT 'acc_scale_' || n, 'Customer ' || n, 'ap' || n || '@customer.example',
				CASE WHEN n %% 10 = 0 THEN 'on_hold' ELSE 'active' END, 'EUR', 5000000,
				'rep' || lpad((n * %d / %d)::text, 4, '0') || '@scale.example',
				CASE WHEN n %% 10 = 3 THEN 'slow' ELSE 'standard' END
			FROM generate_series(0, %d) n`, reps, accounts, accounts-1),
		`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date)
			SELECT 'inv_scale_' || a.n || '_' || k, 'acc_scale_' || a.n, 'S-' || a.n || '-' || k, 'EUR', 100000, 100000,
				current_date - 30 - CASE WHEN a.n % 10 = 0 AND k = 1 THEN 45 ELSE (a.n % 20) END,
				current_date - CASE WHEN a.n % 10 = 0 AND k = 1 THEN 45 ELSE (a.n % 20) END
			FROM (SELECT substr(id, 11)::int AS n FROM accounts WHERE id LIKE 'acc_scale_%') a, generate_series(1, 2) k`,
		`INSERT INTO holds (hold_key, account_id, invoice_id, cause, put_on_hold, placed_at)
			SELECT 'hold_scale_' || n, 'acc_scale_' || n, 'inv_scale_' || n || '_1', 'invoice', true, now() - interval '15 days'
			FROM (SELECT substr(id, 11)::int AS n FROM accounts WHERE id LIKE 'acc_scale_%') a WHERE n % 10 = 0`,
		`INSERT INTO escalations (id, account_id, invoice_id, sales_rep, reason, created_at)
			SELECT 'esc_scale_' || a.n, a.id, 'inv_scale_' || a.n || '_2', a.sales_rep, 'invoice 14 days overdue', now() - interval '2 days'
			FROM (SELECT id, sales_rep, substr(id, 11)::int AS n FROM accounts WHERE id LIKE 'acc_scale_%') a WHERE n % 20 = 5`,
		`INSERT INTO promises (promise_key, invoice_id, promised_date, amount, made_by)
			SELECT 'promise_scale_' || n, 'inv_scale_' || n || '_2', current_date + 2, 50000, 'analyst@example.com'
			FROM (SELECT substr(id, 11)::int AS n FROM accounts WHERE id LIKE 'acc_scale_%') a WHERE n % 25 = 7`,
		`INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, status, band, created_at)
			SELECT 'cr_scale_' || a.n, 'limit_increase', a.id, a.sales_rep, 8000000, 'EUR', 'pending_review', 'C', now() - interval '3 days'
			FROM (SELECT id, sales_rep, substr(id, 11)::int AS n FROM accounts WHERE id LIKE 'acc_scale_%') a WHERE n % 50 = 11`,
		`INSERT INTO decisions (request_id, event, outcome, approved_limit, decided_by, decided_at)
			SELECT id, 'decided', 'approve', 6000000, 'analyst@example.com', now() - interval '1 day'
			FROM credit_requests WHERE id LIKE 'cr_scale_%' AND substr(id, 10)::int % 100 = 11`,
	} {
		if _, err := st.Pool.Exec(ctx, q); err != nil {
			t.Fatalf("seed portfolio: %v\n%s", err, q)
		}
	}
}
