package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/testenv"
)

// A lapsed approval gives the account its limit back, lapses what was
// pending and keeps what was met; twice is once.
func TestALapsedApprovalGivesTheLimitBack(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	customer(t, st, "acc_1", 1000000, 1000) // EUR 10,000.00
	require.NoError(t, st.CreateCreditRequest(ctx, credit.CreditRequest{ID: "cr_1", Kind: credit.KindLimitIncrease, AccountID: "acc_1",
		RequestedLimit: money.New(5000000, "EUR"), CreatedBy: "rep@example.com", CreatedAt: time.Now().UTC()}))
	limit, deposit := money.New(4000000, "EUR"), money.New(500000, "EUR")
	now := time.Now().UTC()
	require.NoError(t, st.ApplyDecision(ctx, "cr_1", credit.Decision{Outcome: credit.OutcomeApproveWithConditions, ApprovedLimit: &limit,
		DecidedBy: "analyst@example.com", DecidedAt: now, Conditions: []credit.Condition{
			{Type: credit.ConditionDeposit, Amount: &deposit, Status: credit.ConditionPending},
			{Type: credit.ConditionPersonalGuarantee, Guarantor: "Jane Doe", Status: credit.ConditionPending},
		}}))
	require.NoError(t, st.RecordCondition(ctx, "cr_1", 1, "condition/1/met", credit.Condition{Type: credit.ConditionPersonalGuarantee, Guarantor: "Jane Doe",
		Status: credit.ConditionMet, Note: "signed", ResolvedBy: "analyst@example.com", ResolvedAt: &now}))
	pending, err := st.PendingConditions(ctx, "acc_1")
	require.NoError(t, err)
	require.Equal(t, "waiting for the deposit of EUR 5,000.00", credit.Waiting(pending))
	a, err := st.Account(ctx, "acc_1")
	require.NoError(t, err)
	require.Equal(t, "40000.00", a.CreditLimit.String())

	for range 2 {
		require.NoError(t, st.LapseApproval(ctx, "cr_1", now.Add(time.Hour)))
	}
	a, err = st.Account(ctx, "acc_1")
	require.NoError(t, err)
	require.Equal(t, "10000.00", a.CreditLimit.String(), "the limit it had before the approval")
	r, err := st.CreditRequest(ctx, "cr_1")
	require.NoError(t, err)
	require.Equal(t, credit.StatusLapsed, r.Status)
	require.Equal(t, []string{credit.ConditionLapsed, credit.ConditionMet}, []string{r.Decision.Conditions[0].Status, r.Decision.Conditions[1].Status})
	pending, err = st.PendingConditions(ctx, "acc_1")
	require.NoError(t, err)
	require.Empty(t, pending)
	var entries int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM timeline WHERE kind = 'approval_lapsed'`).Scan(&entries))
	require.Equal(t, 1, entries)
}

// An expired letter of credit is pending again, once, on an open
// account: its credit checks wait for a new letter; a closed account's
// letter expires unremarked.
func TestAnExpiredLetterOfCreditIsPendingAgainWhileTheAccountIsOpen(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	now := time.Now().UTC()
	amount, limit := money.New(2000000, "EUR"), money.New(4000000, "EUR")
	letter := credit.Condition{Type: credit.ConditionLetterOfCredit, Amount: &amount, ExpiresOn: "2027-01-31",
		Status: credit.ConditionMet, Note: "received", ResolvedBy: "analyst@example.com", ResolvedAt: &now}
	for _, id := range []string{"acc_open", "acc_closed"} {
		customer(t, st, id, 1000000, 1000)
		require.NoError(t, st.CreateCreditRequest(ctx, credit.CreditRequest{ID: "cr_" + id, Kind: credit.KindLimitIncrease, AccountID: id,
			RequestedLimit: limit, CreatedBy: "rep@example.com", CreatedAt: now}))
		require.NoError(t, st.ApplyDecision(ctx, "cr_"+id, credit.Decision{Outcome: credit.OutcomeApproveWithConditions, ApprovedLimit: &limit,
			DecidedBy: "analyst@example.com", DecidedAt: now, Conditions: []credit.Condition{letter}}))
	}
	_, err := st.Pool.Exec(ctx, `UPDATE accounts SET status = 'closed' WHERE id = 'acc_closed'`)
	require.NoError(t, err)

	expired := credit.Condition{Type: credit.ConditionLetterOfCredit, Amount: &amount, ExpiredOn: "2027-01-31", Status: credit.ConditionPending,
		Note: "the letter of credit valid until 2027-01-31 expired: a new one is needed"}
	for range 2 {
		open, err := st.ExpireLetterOfCredit(ctx, "cr_acc_open", 0, "condition/0/expired/2027-01-31", expired)
		require.NoError(t, err)
		require.True(t, open, "an earlier attempt's expiry answers the same")
	}
	pending, err := st.PendingConditions(ctx, "acc_open")
	require.NoError(t, err)
	require.Equal(t, "waiting for the letter of credit for EUR 20,000.00", credit.Waiting(pending))
	var entries int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM timeline WHERE kind = 'condition_expired' AND account_id = 'acc_open'`).Scan(&entries))
	require.Equal(t, 1, entries)

	open, err := st.ExpireLetterOfCredit(ctx, "cr_acc_closed", 0, "condition/0/expired/2027-01-31", expired)
	require.NoError(t, err)
	require.False(t, open)
	pending, err = st.PendingConditions(ctx, "acc_closed")
	require.NoError(t, err)
	require.Empty(t, pending)
}
