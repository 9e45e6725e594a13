package store_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/testenv"
)

// Automatic decisions were once stored dated 0001-01-01; migration 00003
// dates them by the timeline entry written with them.
func TestMigrationDatesUndatedAutomaticDecisions(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	r := credit.CreditRequest{ID: "cr_1", Kind: credit.KindPreApproval, AccountID: "acc_1", RequestedLimit: money.New(2000000, "EUR"),
		CreatedBy: "rep@example.com", CreatedAt: time.Now().UTC().Truncate(time.Microsecond),
		Prospect: &credit.Prospect{Name: "Acme", RegistrationNumber: "1", Country: "DE", BillingEmail: "ap@acme.example",
			AnnualRevenue: money.New(250000000, "EUR"), YearsInBusiness: 7, TradeReferences: 2}}
	require.NoError(t, st.CreateCreditRequest(ctx, r))
	limit := money.New(2000000, "EUR")
	require.NoError(t, st.ApplyDecision(ctx, "cr_1", credit.Decision{Outcome: credit.OutcomeApprove, ApprovedLimit: &limit,
		DecidedBy: "creditflow", Automatic: true})) // no DecidedAt, as the workflow once sent it

	// Run 00003 again, as on a database that stored such a decision. Its
	// statements run by hand: goose refuses to apply a version below the
	// database's once later migrations exist.
	sql, err := os.ReadFile("migrations/00003_date_automatic_decisions.sql")
	require.NoError(t, err)
	up, _, _ := strings.Cut(string(sql), "-- +goose Down")
	_, err = st.Pool.Exec(ctx, up)
	require.NoError(t, err)

	var timelineAt time.Time
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT at FROM timeline WHERE event_key = 'cr_1/decided'`).Scan(&timelineAt))
	got, err := st.CreditRequest(ctx, "cr_1")
	require.NoError(t, err)
	require.NotNil(t, got.DecidedAt)
	require.True(t, timelineAt.Equal(*got.DecidedAt), "decided_at %s, timeline %s", got.DecidedAt, timelineAt)
	require.True(t, timelineAt.Equal(got.Decision.DecidedAt), "the decision document too")
	var audited time.Time
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT decided_at FROM decisions WHERE request_id = 'cr_1' AND event = 'decided'`).Scan(&audited))
	require.True(t, timelineAt.Equal(audited), "the audit trail too")
	_, err = st.Pool.Exec(ctx, `UPDATE decisions SET reason = 'x'`)
	require.Error(t, err, "and it is append-only again")
}
