package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

const (
	riley = "riley@example.com"
	robin = "robin@example.com"
)

// digestFixture is two reps' accounts, each with one thing of every kind
// a digest lists, and an account on hold each.
func digestFixture(t *testing.T, st *store.Store) {
	t.Helper()
	ctx := context.Background()
	for _, rep := range []string{riley, robin} {
		p := rep[:5] // riley / robin
		for _, q := range []string{
			// A slow payer, a band-E account, one with an invoice 45 days overdue, a healthy one.
			`INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep, segment) VALUES
				('acc_slow_` + p + `', 'Slow ` + p + `', 'ap@x.example', 'active', 'EUR', 100000, '` + rep + `', 'slow'),
				('acc_bande_` + p + `', 'BandE ` + p + `', 'ap@x.example', 'active', 'EUR', 100000, '` + rep + `', 'standard'),
				('acc_late_` + p + `', 'Late ` + p + `', 'ap@x.example', 'active', 'EUR', 100000, '` + rep + `', 'standard'),
				('acc_fine_` + p + `', 'Fine ` + p + `', 'ap@x.example', 'active', 'EUR', 100000, '` + rep + `', 'standard')`,
			`INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, status, band, created_at) VALUES
				('cr_bande_` + p + `', 'limit_increase', 'acc_bande_` + p + `', '` + rep + `', 200000, 'EUR', 'declined', 'E', now() - interval '40 days'),
				('cr_wait_` + p + `', 'limit_increase', 'acc_fine_` + p + `', '` + rep + `', 300000, 'EUR', 'pending_review', 'C', now() - interval '3 days'),
				('cr_fresh_` + p + `', 'limit_increase', 'acc_slow_` + p + `', '` + rep + `', 300000, 'EUR', 'pending_review', 'C', now() - interval '1 hour'),
				('cr_done_` + p + `', 'limit_increase', 'acc_late_` + p + `', '` + rep + `', 300000, 'EUR', 'approved', 'B', now() - interval '5 days')`,
			`INSERT INTO decisions (request_id, event, outcome, approved_limit, decided_by, decided_at) VALUES
				('cr_done_` + p + `', 'decided', 'approve', 250000, 'analyst@example.com', now() - interval '2 days'),
				('cr_bande_` + p + `', 'decided', 'decline', NULL, 'analyst@example.com', now() - interval '39 days')`,
			`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date) VALUES
				('inv_late_` + p + `', 'acc_late_` + p + `', 'L-1', 'EUR', 50000, 50000, current_date - 75, current_date - 45),
				('inv_fine_` + p + `', 'acc_fine_` + p + `', 'F-1', 'EUR', 50000, 50000, current_date - 40, current_date - 10)`,
			`INSERT INTO escalations (id, account_id, invoice_id, sales_rep, reason, status, created_at) VALUES
				('esc_open_` + p + `', 'acc_fine_` + p + `', 'inv_fine_` + p + `', '` + rep + `', 'invoice F-1 is 10 days overdue', 'open', now() - interval '1 day'),
				('esc_done_` + p + `', 'acc_late_` + p + `', 'inv_late_` + p + `', '` + rep + `', 'old', 'acknowledged', now() - interval '20 days')`,
			`INSERT INTO promises (promise_key, invoice_id, promised_date, amount, made_by) VALUES
				('pr_week_` + p + `', 'inv_fine_` + p + `', current_date + 3, 20000, 'analyst@example.com'),
				('pr_later_` + p + `', 'inv_late_` + p + `', current_date + 20, 20000, 'analyst@example.com')`,
		} {
			_, err := st.Pool.Exec(ctx, q)
			require.NoError(t, err, q)
		}
	}
	testenv.AccountOnHold(t, st, riley, "Held riley", 40)
	testenv.AccountOnHold(t, st, robin, "Held robin", 35)
}

func scopeNow() store.DigestScope {
	now := time.Now()
	w := policy.WeekOf(now, time.UTC, 24*time.Hour)
	d := policy.Default().Digest
	return store.DigestScope{At: now, DecidedFrom: w.DecidedFrom, Today: w.Today.Format(time.DateOnly), DueUntil: w.DueUntil.Format(time.DateOnly),
		ReviewDueBefore: now.Add(-48 * time.Hour), HighRiskBands: d.HighRiskBands, HighRiskSegments: d.HighRiskSegments,
		HighRiskOverdueDays: d.HighRiskOverdueDays, MostOverdue: d.MostOverdueAccounts, Items: d.ItemsPerList}
}

func accounts(l store.DigestList) []string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Account+": "+it.Why)
	}
	return out
}

// TestARepsDigestListsTheirOwnAccountsOfEveryKind: each list holds the
// rep's own lines, with why; nothing of the other rep's.
func TestARepsDigestListsTheirOwnAccountsOfEveryKind(t *testing.T) {
	_, st := testenv.Database(t)
	digestFixture(t, st)
	d, err := st.RepDigest(context.Background(), riley, scopeNow())
	require.NoError(t, err)

	require.Equal(t, []string{"Held riley: invoice INV-Hel unpaid 40 days after its due date"}, accounts(d.OnHold))
	require.Equal(t, []string{
		"Late riley: invoice L-1 is 45 days overdue",
		"BandE riley: band E",
		"Slow riley: slow payer",
	}, accounts(d.HighRisk), "on hold is listed once, above; the longest overdue first")
	require.Equal(t, []string{"Fine riley: waiting for your acknowledgement: invoice F-1 is 10 days overdue"}, accounts(d.Escalations))
	require.Len(t, d.PromisesDue.Items, 1, "this week's promise, not the one in 20 days")
	require.Contains(t, d.PromisesDue.Items[0].Why, "promised EUR 200.00 on invoice F-1 by")
	require.Equal(t, []string{"Fine riley: limit increase of EUR 3,000.00, band C", "Slow riley: limit increase of EUR 3,000.00, band C"},
		accounts(d.AwaitingCredit))
	require.Equal(t, 3, d.HighRisk.Total)
	for _, l := range []store.DigestList{d.OnHold, d.HighRisk, d.Escalations, d.PromisesDue, d.AwaitingCredit} {
		for _, it := range l.Items {
			require.NotContains(t, it.Account, "robin", "a rep never sees another rep's accounts")
			require.NotEmpty(t, it.LinkID)
		}
	}
	require.Equal(t, store.DigestLinkEscalation, d.Escalations.Items[0].Link)
	require.Equal(t, "esc_open_riley", d.Escalations.Items[0].LinkID)
	require.Equal(t, store.DigestLinkRequest, d.AwaitingCredit.Items[0].Link)

	nobody, err := st.RepDigest(context.Background(), "nobody@example.com", scopeNow())
	require.NoError(t, err)
	for _, l := range []store.DigestList{nobody.OnHold, nobody.HighRisk, nobody.Escalations, nobody.PromisesDue, nobody.AwaitingCredit} {
		require.Zero(t, l.Total)
		require.Empty(t, l.Items)
	}
}

// TestACreditManagersDigestSpansEveryRep: requests past the service level
// (not the fresh ones), every hold, the most overdue accounts, the week's
// decisions (not older ones).
func TestACreditManagersDigestSpansEveryRep(t *testing.T) {
	_, st := testenv.Database(t)
	digestFixture(t, st)
	sc := scopeNow()
	d, err := st.ManagerDigest(context.Background(), sc)
	require.NoError(t, err)

	require.Equal(t, []string{
		"Fine riley: limit increase of EUR 3,000.00, band C, asked by riley@example.com",
		"Fine robin: limit increase of EUR 3,000.00, band C, asked by robin@example.com",
	}, slices.Sorted(slices.Values(accounts(d.PastServiceLevel))))
	require.Equal(t, 2, d.Holds.Total)
	require.Equal(t, "Held riley", d.Holds.Items[0].Account, "longest on hold first")
	require.Equal(t, 6, d.MostOverdue.Total, "each rep's late, fine and held accounts")
	require.Contains(t, d.MostOverdue.Items[0].Why, "EUR 500.00 overdue on 1 invoice")
	require.Contains(t, []string{"Late riley", "Late robin"}, d.MostOverdue.Items[0].Account, "45 days: the most overdue")
	require.Equal(t, 2, d.Decisions.Total, "this week's approvals; the declines of 39 days ago are not this week's")
	require.Contains(t, d.Decisions.Items[0].Why, "approve at EUR 2,500.00 by analyst@example.com")

	sc.MostOverdue = 1
	d, err = st.ManagerDigest(context.Background(), sc)
	require.NoError(t, err)
	require.Len(t, d.MostOverdue.Items, 1)
	require.Equal(t, 6, d.MostOverdue.Total)
}
