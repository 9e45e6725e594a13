package activities_test

import (
	"context"
	"crypto/rand"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// customer inserts an active EUR account with a limit of 20,000, decided
// (its last review) decidedDaysAgo in band band.
func customer(t *testing.T, st *store.Store, id, band string, decidedDaysAgo int) {
	t.Helper()
	ctx := context.Background()
	_, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep, created_at)
		VALUES ($1, 'Acme '||$1, 'ap@acme.example', 'active', 'EUR', 2000000, 'rep@example.com', now() - make_interval(days => $2 + 1))`,
		id, decidedDaysAgo)
	require.NoError(t, err)
	_, err = st.Pool.Exec(ctx, `INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, status, band, created_at, decided_at)
		VALUES ('cr_'||$1, 'pre_approval', $1, 'rep@example.com', 2000000, 'EUR', 'approved', $2,
			now() - make_interval(days => $3 + 1), now() - make_interval(days => $3))`, id, band, decidedDaysAgo)
	require.NoError(t, err)
}

func TestDueReviewsFollowTheBandsInterval(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	customer(t, st, "acc_a_early", "A", 364) // band A: every 365 days
	customer(t, st, "acc_a_due", "A", 366)
	customer(t, st, "acc_c_due", "C", 91) // band C: every 90 days
	customer(t, st, "acc_d_early", "D", 29)
	customer(t, st, "acc_waiting", "D", 40)
	_, err := st.Pool.Exec(context.Background(), `INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, status)
		VALUES ('cr_review', 'periodic_review', 'acc_waiting', 'creditflow', 2000000, 'EUR', 'pending_review')`)
	require.NoError(t, err)
	customer(t, st, "acc_expired", "D", 40)
	_, err = st.Pool.Exec(context.Background(), `INSERT INTO credit_requests (id, kind, account_id, created_by, requested_limit, currency, status, updated_at)
		VALUES ('cr_expired', 'periodic_review', 'acc_expired', 'creditflow', 2000000, 'EUR', 'expired', now() - interval '5 days')`)
	require.NoError(t, err)
	customer(t, st, "acc_closed", "E", 400)
	_, err = st.Pool.Exec(context.Background(), `UPDATE accounts SET status = 'closed' WHERE id = 'acc_closed'`)
	require.NoError(t, err)

	now := time.Now()
	var due []string
	after, pages := "", 0
	for {
		page := run[workflows.DueReviews](t, a, a.ListDueReviews, workflows.ListDueReviewsInput{AsOf: now, After: after, Limit: 2})
		pages++
		for _, d := range page.Due {
			due = append(due, d.AccountID)
			require.Equal(t, policy.DayNumber(d.LastReview.AddDate(0, 0, d.EveryDays), a.Day), d.DueDay)
			require.Equal(t, "20000.00", d.CreditLimit.Amount().String())
		}
		if page.Next == "" {
			break
		}
		after = page.Next
	}
	require.Equal(t, []string{"acc_a_due", "acc_c_due"}, due,
		"not before its interval, not while a review waits, not within the interval after a review expired undecided, not a closed account")
	require.Equal(t, 4, pages, "six customers two at a time, and an empty last page")
}

func TestAReviewIsStartedOnceWhateverTheRuns(t *testing.T) {
	_, st := testenv.Database(t)
	// Nobody polls this queue: the reviews started stay where Temporal
	// keeps them, and only their starting is tested.
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour,
		Temporal: testenv.Temporal(t), TaskQueue: "nobody-polls-" + strings.ToLower(rand.Text()[:8])}
	account := "acc_" + strings.ToLower(rand.Text()[:8])
	reviews := workflows.StartPeriodicReviewsInput{Reviews: []workflows.DueReview{
		{AccountID: account, Band: "A", EveryDays: 365, DueDay: 20148, CreditLimit: workflows.Money{Minor: 2000000, Currency: "EUR"}},
		{AccountID: account + "_2", Band: "C", EveryDays: 90, DueDay: 20148, CreditLimit: workflows.Money{Minor: 2000000, Currency: "EUR"}},
	}}
	require.Equal(t, workflows.StartedReviews{Started: 2}, run[workflows.StartedReviews](t, a, a.StartPeriodicReviews, reviews))
	require.Equal(t, workflows.StartedReviews{AlreadyStarted: 2}, run[workflows.StartedReviews](t, a, a.StartPeriodicReviews, reviews),
		"Temporal refuses the ids it started: the second run starts nothing")
}

func TestReviewIsScoredOnTheAccountsRecordSinceItsLastReview(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	customer(t, st, "acc_1", "B", 200)
	for _, q := range []string{
		// Due before the last review and paid then: not this period's.
		`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, status, paid_at)
			VALUES ('inv_old', 'acc_1', 'OLD', 'EUR', 100000, 0, current_date - 260, current_date - 230, 'paid', now() - interval '210 days')`,
		// 10,000 paid 10 days late, 30,000 still open 30 days past due.
		`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, status, paid_at)
			VALUES ('inv_late', 'acc_1', 'LATE', 'EUR', 1000000, 0, current_date - 100, current_date - 70, 'paid', now() - interval '60 days')`,
		`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, status)
			VALUES ('inv_open', 'acc_1', 'OPEN', 'EUR', 3000000, 3000000, current_date - 60, current_date - 30, 'open')`,
		`INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, status)
			VALUES ('inv_disputed', 'acc_1', 'DISP', 'EUR', 500000, 500000, current_date - 90, current_date - 60, 'disputed')`,
		`INSERT INTO disputes (id, invoice_id, reason, department, owner_email, opened_by) VALUES ('dsp_1', 'inv_disputed', 'wrong price', 'billing', 'a@example.com', 'rep@example.com')`,
		`INSERT INTO promises (promise_key, invoice_id, promised_date, amount, made_by, status) VALUES ('p1', 'inv_open', current_date - 10, 3000000, 'rep@example.com', 'broken')`,
		`INSERT INTO holds (hold_key, account_id, invoice_id, cause, put_on_hold, placed_at, released_at)
			VALUES ('h1', 'acc_1', 'inv_late', 'invoice', true, now() - interval '65 days', now() - interval '60 days')`,
	} {
		_, err := st.Pool.Exec(ctx, q)
		require.NoError(t, err, q)
	}
	r := workflows.PeriodicReviewRequest(workflows.DueReview{AccountID: "acc_1", Band: "B", EveryDays: 180, DueDay: 1,
		CreditLimit: workflows.Money{Minor: 2000000, Currency: "EUR"}}, time.Now().UTC().Truncate(time.Microsecond))
	got := run[workflows.Assessment](t, a, a.ScorePeriodicReview, r)
	require.Equal(t, []string{
		got.Score.Reasons[0],
		"25 days beyond terms on average over 2 invoices due in the period (worst 30 days): -20 points",
		"1 broken promise to pay: -10 points",
		"1 dispute opened: -5 points",
		"1 credit hold in the period: -15 points",
		"exposure EUR 35,000.00 against a limit of EUR 20,000.00 (175.00% used): -25 points",
		"recommend a credit hold: band E: a person decides",
	}, got.Score.Reasons)
	require.True(t, strings.HasPrefix(got.Score.Reasons[0], "a clean record since "))
	require.Equal(t, "hold", got.Score.Recommendation)

	stored, err := st.CreditRequest(ctx, r.ID)
	require.NoError(t, err, "the review's first activity writes its row")
	require.Equal(t, credit.StatusPendingReview, stored.Status)
	require.Equal(t, credit.KindPeriodicReview, stored.Kind)
	require.Equal(t, "E", stored.Band)
}

func TestReviewHoldIsLiftedByTheNextReviewThatContinuesCredit(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	customer(t, st, "acc_1", "D", 40)
	review := func(id string) workflows.CreditRequest {
		r := workflows.PeriodicReviewRequest(workflows.DueReview{AccountID: "acc_1", Band: "D", EveryDays: 30, DueDay: 1,
			CreditLimit: workflows.Money{Minor: 2000000, Currency: "EUR"}}, time.Now().UTC())
		r.ID = id
		require.NoError(t, st.CreateCreditRequest(ctx, credit.CreditRequest{ID: r.ID, Kind: r.Kind, AccountID: r.AccountID,
			RequestedLimit: r.RequestedLimit.Amount(), CreatedBy: r.CreatedBy, CreatedAt: r.CreatedAt}))
		return r
	}
	decide := func(id string, d workflows.Decision) workflows.ReviewApplied {
		return run[workflows.ReviewApplied](t, a, a.ApplyReviewDecision, workflows.ApplyDecisionInput{RequestID: id, Decision: d})
	}
	account := func() credit.Account {
		acc, err := st.Account(ctx, "acc_1")
		require.NoError(t, err)
		return acc
	}

	review("cr_first")
	hold := workflows.Decision{Outcome: workflows.OutcomeHold, Reason: "insolvency filing", DecidedBy: "analyst@example.com",
		DecidedAt: time.Now(), ReviewOutcome: workflows.ReviewHold}
	require.True(t, decide("cr_first", hold).PutOnHold)
	require.True(t, decide("cr_first", hold).PutOnHold, "a retry answers as the first attempt")
	require.Equal(t, credit.AccountOnHold, account().Status)
	held, err := st.CreditRequest(ctx, "cr_first")
	require.NoError(t, err)
	require.Equal(t, credit.StatusHeld, held.Status)

	review("cr_second")
	keep := workflows.Money{Minor: 1500000, Currency: "EUR"}
	lowered := decide("cr_second", workflows.Decision{Outcome: workflows.OutcomeApprove, ApprovedLimit: &keep,
		DecidedBy: "manager@example.com", DecidedAt: time.Now(), ReviewOutcome: workflows.ReviewLower})
	require.True(t, lowered.Released, "credit continues: the review's hold is lifted")
	require.False(t, lowered.PutOnHold)
	require.Equal(t, credit.AccountActive, account().Status)
	require.Equal(t, "15000.00", account().CreditLimit.String())
}
