package activities_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// The API starts a request's workflow, then writes its row; if it dies in
// between, the scoring activity writes the request and its prospect.
func TestScoringWritesTheRequestTheAPIDidNot(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour}
	r := workflows.CreditRequest{
		ID: "cr_1", Kind: workflows.KindPreApproval, Status: workflows.StatusScoring, AccountID: "acc_1",
		Prospect: &workflows.Prospect{Name: "Acme Tools GmbH", RegistrationNumber: "HRB 1", Country: "DE",
			BillingEmail: "ap@acme.example", AnnualRevenue: workflows.Money{Minor: 250000000, Currency: "EUR"},
			YearsInBusiness: 7, TradeReferences: 2, TimeZone: "UTC"},
		RequestedLimit: workflows.Money{Minor: 2000000, Currency: "EUR"},
		CreatedBy:      "rep@example.com", CreatedAt: time.Now().UTC().Truncate(time.Microsecond),
	}
	first := run[workflows.Assessment](t, a, a.ScoreCreditRequest, r)
	again := run[workflows.Assessment](t, a, a.ScoreCreditRequest, r)
	require.Equal(t, first.Score, again.Score, "a retry scores the same")
	require.Equal(t, "A", first.Score.Band)

	stored, err := st.CreditRequest(context.Background(), "cr_1")
	require.NoError(t, err)
	require.NotNil(t, stored.Score, "scored")
	require.Equal(t, "A", stored.Band)
	require.True(t, r.CreatedAt.Equal(stored.CreatedAt))
	account, err := st.Account(context.Background(), "acc_1")
	require.NoError(t, err)
	require.Equal(t, credit.AccountProspect, account.Status)
	require.Equal(t, "rep@example.com", account.SalesRep)
}
