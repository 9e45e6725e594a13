package activities_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// The account's segment follows every payment that settles an invoice,
// not only the next invoice's plan: the third invoice paid on time makes
// a customer prompt at once.
func TestAPaymentThatSettlesAnInvoiceUpdatesTheAccountsSegment(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour, From: "credit@example.com"}
	_, err := st.Pool.Exec(ctx, `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ('acc_1', 'Acme', 'ap@acme.example', 'active', 'EUR', 10000000, 'rep@example.com')`)
	require.NoError(t, err)
	due := time.Now().UTC().AddDate(0, 0, 10).Format(time.DateOnly)
	for k := range 3 {
		require.NoError(t, st.CreateInvoice(ctx, credit.Invoice{ID: fmt.Sprintf("inv_%d", k), AccountID: "acc_1", Number: fmt.Sprint(k),
			Amount: money.New(50000, "EUR"), IssueDate: time.Now().UTC().Format(time.DateOnly), DueDate: due, CreatedBy: "analyst@example.com"}))
	}
	pay := func(k int, amount int64) {
		run[workflows.Settlement](t, a, a.RecordInvoicePayment, workflows.RecordPaymentInput{InvoiceID: fmt.Sprintf("inv_%d", k),
			Payment: workflows.Payment{ID: fmt.Sprintf("pay_%d_%d", k, amount), Amount: workflows.Money{Minor: amount, Currency: "EUR"},
				ReceivedAt: time.Now(), By: "analyst@example.com"}})
	}
	segment := func() string {
		acc, err := st.Account(ctx, "acc_1")
		require.NoError(t, err)
		return acc.Segment
	}
	pay(0, 50000)
	pay(1, 50000)
	require.Equal(t, policy.SegmentStandard, segment(), "two paid: too few to judge")
	pay(2, 20000)
	require.Equal(t, policy.SegmentStandard, segment(), "a partial payment settles nothing")
	pay(2, 30000)
	require.Equal(t, policy.SegmentPrompt, segment(), "three paid on time")
}
