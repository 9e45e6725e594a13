package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func exposureAccount(t *testing.T, st *store.Store, id string) {
	t.Helper()
	_, err := st.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, $1, 'ap@x.example', 'active', 'EUR', 100000000, 'rep@example.com')`, id)
	require.NoError(t, err)
}

func eur(minor int64) money.Money { return money.New(minor, "EUR") }

func newInvoice(accountID, id string, minor int64) credit.Invoice {
	return credit.Invoice{ID: id, AccountID: accountID, Number: "N-" + id, Amount: eur(minor),
		IssueDate: "2026-01-01", DueDate: "2026-01-31", CreatedBy: "erp@example.com"}
}

// requireExposure checks the account's kept exposure against what it
// should be and against the sum it replaced.
func requireExposure(t *testing.T, st *store.Store, accountID string, want int64) {
	t.Helper()
	a, err := st.Account(context.Background(), accountID)
	require.NoError(t, err)
	var summed int64
	require.NoError(t, st.Pool.QueryRow(context.Background(), `SELECT coalesce(sum(balance), 0) FROM invoices
		WHERE account_id = $1 AND status IN ('open', 'disputed')`, accountID).Scan(&summed))
	require.Equal(t, summed, a.Exposure.Minor, "exposure against the open balances")
	require.Equal(t, want, a.Exposure.Minor)
	require.Equal(t, max(a.CreditLimit.Minor-want, 0), a.AvailableCredit.Minor)
}

// TestExposureFollowsEveryChangeOfABalance: created one by one and by the
// import, paid in part and in full, disputed and credited, written off,
// the account's exposure is its open invoices' balances, and another
// account's is untouched.
func TestExposureFollowsEveryChangeOfABalance(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	exposureAccount(t, st, "acc_a")
	exposureAccount(t, st, "acc_b")
	requireExposure(t, st, "acc_a", 0)

	require.NoError(t, st.CreateInvoice(ctx, newInvoice("acc_a", "inv_1", 10000)))
	require.NoError(t, st.CreateInvoice(ctx, newInvoice("acc_a", "inv_1", 10000)), "written again by its workflow")
	requireExposure(t, st, "acc_a", 10000)

	stored, err := st.CreateInvoices(ctx, []credit.Invoice{
		newInvoice("acc_a", "inv_1", 10000), // already stored
		newInvoice("acc_a", "inv_2", 20000), newInvoice("acc_a", "inv_3", 30000), newInvoice("acc_a", "inv_4", 40000),
		newInvoice("acc_b", "inv_b", 5000),
	})
	require.NoError(t, err)
	require.Len(t, stored, 5)
	requireExposure(t, st, "acc_a", 100000)
	requireExposure(t, st, "acc_b", 5000)

	pay := func(invoiceID, paymentID string, minor int64) {
		t.Helper()
		_, err := st.RecordPayment(ctx, invoiceID, credit.Payment{ID: paymentID, Amount: eur(minor), ReceivedAt: time.Now(), By: "analyst@example.com"})
		require.NoError(t, err)
	}
	pay("inv_1", "pay_1", 4000)
	requireExposure(t, st, "acc_a", 96000)
	pay("inv_1", "pay_1", 4000) // a retried activity
	requireExposure(t, st, "acc_a", 96000)
	pay("inv_1", "pay_2", 6000) // paid in full
	requireExposure(t, st, "acc_a", 90000)

	require.NoError(t, st.OpenDispute(ctx, credit.Dispute{ID: "dsp_1", InvoiceID: "inv_2", Reason: "damaged", Department: "logistics",
		OwnerEmail: "ops@example.com", CreatedAt: time.Now()}, "analyst@example.com"))
	requireExposure(t, st, "acc_a", 90000) // a disputed invoice is still owed
	note := eur(5000)
	_, err = st.ResolveDispute(ctx, credit.DisputeResolution{DisputeID: "dsp_1", Resolution: "credit note", CreditNote: &note, By: "analyst@example.com"}, time.Now())
	require.NoError(t, err)
	requireExposure(t, st, "acc_a", 85000)
	require.NoError(t, st.OpenDispute(ctx, credit.Dispute{ID: "dsp_2", InvoiceID: "inv_2", Reason: "rest", Department: "sales",
		OwnerEmail: "ops@example.com", CreatedAt: time.Now()}, "analyst@example.com"))
	rest := eur(15000)
	_, err = st.ResolveDispute(ctx, credit.DisputeResolution{DisputeID: "dsp_2", Resolution: "credited in full", CreditNote: &rest, By: "analyst@example.com"}, time.Now())
	require.NoError(t, err)
	requireExposure(t, st, "acc_a", 70000)

	_, err = st.WriteOffInvoice(ctx, "inv_3", credit.WriteOff{Reason: "insolvent", By: credit.Decider{Email: "manager@example.com"}})
	require.NoError(t, err)
	requireExposure(t, st, "acc_a", 40000)
	_, err = st.WriteOffInvoice(ctx, "inv_3", credit.WriteOff{Reason: "insolvent", By: credit.Decider{Email: "manager@example.com"}})
	require.NoError(t, err)
	requireExposure(t, st, "acc_a", 40000)
	requireExposure(t, st, "acc_b", 5000)
}

// TestExposureHoldsUnderConcurrentPaymentsAndImports: payments on one
// account's invoices, imports and single invoices of the same account,
// all at once, lose no update and deadlock nowhere.
func TestExposureHoldsUnderConcurrentPaymentsAndImports(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	exposureAccount(t, st, "acc_a")
	exposureAccount(t, st, "acc_b")
	const invoices = 20
	var first []credit.Invoice
	for k := range invoices {
		first = append(first, newInvoice("acc_a", fmt.Sprintf("inv_%d", k), 10000))
	}
	_, err := st.CreateInvoices(ctx, first)
	require.NoError(t, err)

	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for k := range invoices {
		for p := range 2 { // two payments of 2,500 on each invoice
			wg.Go(func() {
				_, err := st.RecordPayment(ctx, fmt.Sprintf("inv_%d", k), credit.Payment{ID: fmt.Sprintf("pay_%d_%d", k, p),
					Amount: eur(2500), ReceivedAt: time.Now(), By: "analyst@example.com"})
				errs <- err
			})
		}
	}
	for b := range 4 { // imports over both accounts, in both orders
		wg.Go(func() {
			var batch []credit.Invoice
			for k := range 10 {
				acc := []string{"acc_a", "acc_b"}[(k+b)%2]
				batch = append(batch, newInvoice(acc, fmt.Sprintf("imp_%d_%d", b, k), 1000))
			}
			_, err := st.CreateInvoices(ctx, batch)
			errs <- err
		})
	}
	for k := range 5 {
		wg.Go(func() { errs <- st.CreateInvoice(ctx, newInvoice("acc_a", fmt.Sprintf("one_%d", k), 300)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	// acc_a: 20 × (10,000 − 5,000) + 20 imported × 1,000 + 5 × 300.
	requireExposure(t, st, "acc_a", invoices*5000+20*1000+5*300)
	requireExposure(t, st, "acc_b", 20*1000)
}
