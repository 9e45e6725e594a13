package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// customer writes an active account with an open invoice of balance
// (minor units) and a credit limit of limit.
func customer(t *testing.T, st *store.Store, id string, limit, balance int64) {
	t.Helper()
	ctx := context.Background()
	_, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, 'Acme', 'ap@acme.example', 'active', 'EUR', $2, 'rep@example.com')`, id, limit)
	require.NoError(t, err)
	now := time.Now().UTC()
	require.NoError(t, st.CreateInvoice(ctx, credit.Invoice{ID: id + "_inv", AccountID: id, Number: "1", Amount: money.New(balance, "EUR"),
		Balance: money.New(balance, "EUR"), Status: credit.InvoiceOpen, IssueDate: now.Format(time.DateOnly), DueDate: now.AddDate(0, 0, 30).Format(time.DateOnly),
		CreatedBy: "analyst@example.com", CreatedAt: now, UpdatedAt: now}))
}

// An approved limit increase that covers the exposure lifts the exposure
// hold in the same transaction, not at the next payment.
func TestAnApprovedLimitIncreaseReleasesAnExposureHoldAtOnce(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	customer(t, st, "acc_1", 100000, 150000)
	putOnHold, err := st.PlaceHold(ctx, "acc_1_inv/exposure-hold", "acc_1", "acc_1_inv", "exposure", "Credit hold: exposure over the limit")
	require.NoError(t, err)
	require.True(t, putOnHold)

	require.NoError(t, st.CreateCreditRequest(ctx, credit.CreditRequest{ID: "cr_1", Kind: credit.KindLimitIncrease, AccountID: "acc_1",
		RequestedLimit: money.New(200000, "EUR"), CreatedBy: "rep@example.com", CreatedAt: time.Now().UTC()}))
	limit := money.New(200000, "EUR")
	require.NoError(t, st.ApplyDecision(ctx, "cr_1", credit.Decision{Outcome: credit.OutcomeApprove, ApprovedLimit: &limit,
		DecidedBy: "analyst@example.com", DecidedAt: time.Now().UTC()}))

	a, err := st.Account(ctx, "acc_1")
	require.NoError(t, err)
	require.Equal(t, credit.AccountActive, a.Status)
	holds, err := st.ActiveHolds(ctx, "acc_1")
	require.NoError(t, err)
	require.Empty(t, holds)
}

// A limit increase that stays below the exposure leaves the hold.
func TestALimitIncreaseBelowTheExposureKeepsTheHold(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	customer(t, st, "acc_1", 100000, 150000)
	_, err := st.PlaceHold(ctx, "acc_1_inv/exposure-hold", "acc_1", "acc_1_inv", "exposure", "Credit hold: exposure over the limit")
	require.NoError(t, err)
	require.NoError(t, st.CreateCreditRequest(ctx, credit.CreditRequest{ID: "cr_1", Kind: credit.KindLimitIncrease, AccountID: "acc_1",
		RequestedLimit: money.New(120000, "EUR"), CreatedBy: "rep@example.com", CreatedAt: time.Now().UTC()}))
	limit := money.New(120000, "EUR")
	require.NoError(t, st.ApplyDecision(ctx, "cr_1", credit.Decision{Outcome: credit.OutcomeApprove, ApprovedLimit: &limit,
		DecidedBy: "analyst@example.com", DecidedAt: time.Now().UTC()}))
	a, err := st.Account(ctx, "acc_1")
	require.NoError(t, err)
	require.Equal(t, credit.AccountOnHold, a.Status)
}

// A hold change retried under its key gives the first answer and writes
// nothing twice.
func TestAHoldChangeRetriedChangesNothingTwice(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	customer(t, st, "acc_1", 1000000, 1000)
	for range 2 {
		changed, err := st.ChangeHold(ctx, store.HoldChange{Key: "h1", AccountID: "acc_1", By: "analyst@example.com", Reason: "r"})
		require.NoError(t, err)
		require.True(t, changed)
	}
	for range 2 {
		changed, err := st.ChangeHold(ctx, store.HoldChange{Key: "r1", AccountID: "acc_1", Release: true, By: "analyst@example.com", Reason: "ok"})
		require.NoError(t, err)
		require.True(t, changed)
	}
	var holds, entries int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM holds WHERE account_id = 'acc_1'`).Scan(&holds))
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM timeline WHERE account_id = 'acc_1' AND kind IN ('credit_hold', 'hold_released')`).Scan(&entries))
	require.Equal(t, 1, holds)
	require.Equal(t, 2, entries)
	_, err := st.ChangeHold(ctx, store.HoldChange{Key: "r2", AccountID: "acc_1", Release: true, By: "analyst@example.com", Reason: "again"})
	require.ErrorIs(t, err, store.ErrNoHold)
}
