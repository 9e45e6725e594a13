package activities_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/worker"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// A write Postgres refuses for good (here: a payment that would take the
// balance below zero, against the table's CHECK) fails the activity at
// once, instead of retrying for as long as its workflow lives.
func TestAPostgresConstraintErrorIsNotRetried(t *testing.T) {
	_, st := testenv.Database(t)
	inv := invoiceFixture(t, st, "UTC")
	a := &activities.Activities{Store: st}
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.SetWorkerOptions(worker.Options{Interceptors: []interceptor.WorkerInterceptor{&activities.PermanentErrors{}}})
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.RecordInvoicePayment, workflows.RecordPaymentInput{InvoiceID: inv.ID,
		Payment: workflows.Payment{ID: "pay_1", Amount: workflows.Money{Minor: inv.Amount.Minor + 1, Currency: "EUR"}, By: "x@example.com"}})
	var appErr *temporal.ApplicationError
	require.ErrorAs(t, err, &appErr)
	require.Equal(t, workflows.ErrTypeStore, appErr.Type())
	require.True(t, appErr.NonRetryable())

	// Postgres being away is not permanent: it stays retryable.
	st.Close()
	_, err = env.ExecuteActivity(a.RecordInvoicePayment, workflows.RecordPaymentInput{InvoiceID: inv.ID,
		Payment: workflows.Payment{ID: "pay_2", Amount: workflows.Money{Minor: 1, Currency: "EUR"}, By: "x@example.com"}})
	require.Error(t, err)
	if errors.As(err, &appErr) {
		require.False(t, appErr.NonRetryable(), "a closed pool is retried: %v", err)
	}
}
