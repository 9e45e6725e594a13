package faults_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// long: CREDITFLOW_FAULTS=long runs the faults as the design names them
// (a 20-second freeze, a minute of 401s); CI runs them shorter.
var long = os.Getenv("CREDITFLOW_FAULTS") == "long"

func pick(short, full time.Duration) time.Duration {
	if long {
		return full
	}
	return short
}

// importInvoices imports n invoices of ageDays days on one new account and
// returns its id.
func importInvoices(t *testing.T, svc *testenv.Service, n, ageDays int, prefix string) string {
	t.Helper()
	account := newAccount(t, svc)
	issued := time.Now().UTC().AddDate(0, 0, -ageDays).Format(time.DateOnly)
	var lines []map[string]any
	for k := range n {
		lines = append(lines, map[string]any{"account_id": account, "number": fmt.Sprintf("%s-%04d", prefix, k),
			"amount": map[string]any{"amount": "100.00", "currency": "EUR"}, "issue_date": issued})
	}
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, lines)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.EqualValues(t, n, resp.Map(t)["created"], string(resp.Body))
	return account
}

func newAccount(t *testing.T, svc *testenv.Service) string {
	t.Helper()
	id := fmt.Sprintf("acc_fault_%d", time.Now().UnixNano())
	_, err := svc.Store.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, 'Acme Tools GmbH', 'ap@acme.example', 'active', 'EUR', 100000000, $2)`, id, testenv.Rep)
	require.NoError(t, err)
	return id
}

// audit waits until the outbox holds nothing pending or sending, then
// requires: every email the outbox holds as sent reached the fake
// SendGrid, none reached it twice, and every invoice row has the workflow
// that follows it. It logs the figures for the closing note.
func audit(t *testing.T, svc *testenv.Service, what string) {
	t.Helper()
	ctx := context.Background()
	testenv.Eventually(t, 3*time.Minute, "the outbox to drain", func() bool {
		var unsettled int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM emails WHERE status IN ('pending', 'sending')`).Scan(&unsettled))
		return unsettled == 0
	})
	var sent int
	require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM emails WHERE status = 'sent'`).Scan(&sent))
	accepted := map[string]int{}
	for _, m := range svc.SendGrid.Accepted() {
		accepted[m.CustomArgs["email_key"]]++
	}
	twice := 0
	for _, n := range accepted {
		if n > 1 {
			twice++
		}
	}
	rows, err := svc.Store.Pool.Query(ctx, `SELECT email_key FROM emails WHERE status = 'sent'`)
	require.NoError(t, err)
	lost := 0
	for rows.Next() {
		var key string
		require.NoError(t, rows.Scan(&key))
		if accepted[key] == 0 {
			lost++
		}
	}
	var invoices int
	require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices`).Scan(&invoices))
	ids, err := svc.Store.Pool.Query(ctx, `SELECT id FROM invoices`)
	require.NoError(t, err)
	orphans := 0
	for ids.Next() {
		var id string
		require.NoError(t, ids.Scan(&id))
		if _, err := svc.Temporal.DescribeWorkflowExecution(ctx, workflows.InvoiceWorkflowID(id), ""); err != nil {
			orphans++
		}
	}
	t.Logf("%s: %d invoices, %d emails sent; lost: %d, sent twice: %d, rows without their workflow: %d",
		what, invoices, sent, lost, twice, orphans)
	require.Zero(t, lost, "emails the outbox calls sent that SendGrid never got")
	require.Zero(t, twice, "emails SendGrid got twice")
	require.Zero(t, orphans, "invoices without their workflow")
}
