package api_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

// TestAPIKilledBetweenStartAndRowLeavesNothingOrphaned kills `creditflow
// api` (-9) right after it started a workflow and before it wrote the row:
// for a credit request, an invoice and an import. Each workflow writes its
// own row and follows it; a retry creates nothing twice; every row has its
// workflow.
func TestAPIKilledBetweenStartAndRowLeavesNothingOrphaned(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	ctx := context.Background()
	dying := func() *testenv.APIProcess { return svc.StartAPIProcess(t, "CREDITFLOW_FAULT=after-start") }

	// A pre-approval the scorecard approves at once.
	api := dying()
	body := preApproval("20000.00")
	_, err := api.Try(http.MethodPost, "/api/v1/credit-requests", testenv.Rep, body, "Idempotency-Key", "order-1")
	require.Error(t, err, "the API died before it answered")
	require.True(t, api.Killed(t))
	var requests []credit.CreditRequest
	testenv.Eventually(t, 20*time.Second, "the workflow to write and decide its request", func() bool {
		requests, _, err = svc.Store.CreditRequests(ctx, store.RequestFilter{}, nil, 10)
		require.NoError(t, err)
		return len(requests) == 1 && requests[0].Status == credit.StatusApproved
	})
	r := requests[0]
	account, err := svc.Store.Account(ctx, r.AccountID)
	require.NoError(t, err)
	require.Equal(t, credit.AccountActive, account.Status, "the prospect's account was written and approved")
	testenv.Eventually(t, 10*time.Second, "the rep's email", func() bool { return len(svc.SendGrid.OfKind("request_decided")) == 1 })

	// A retry with its key names the same workflow: nothing twice.
	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, body, "Idempotency-Key", "order-1")
	require.Less(t, resp.Status, 500, string(resp.Body))
	requests, _, err = svc.Store.CreditRequests(ctx, store.RequestFilter{}, nil, 10)
	require.NoError(t, err)
	require.Len(t, requests, 1, "the retry filed nothing new")

	// One invoice.
	invoice := map[string]any{"account_id": r.AccountID, "number": "2025-0001", "amount": eurBody("1000.00"), "issue_date": daysAgo(1)}
	api = dying()
	_, err = api.Try(http.MethodPost, "/api/v1/invoices", testenv.Analyst, invoice)
	require.Error(t, err)
	require.True(t, api.Killed(t))
	id := workflows.InvoiceID(r.AccountID, "2025-0001")
	testenv.Eventually(t, 20*time.Second, "the workflow to write and plan its invoice", func() bool {
		inv, err := svc.Store.Invoice(ctx, id)
		return err == nil && inv.DayZero != nil
	})
	resp = svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, invoice)
	require.Equal(t, http.StatusConflict, resp.Status, "sent again, it is a duplicate: %s", resp.Body)

	// An import.
	lines := []map[string]any{
		{"account_id": r.AccountID, "number": "2025-0002", "amount": eurBody("100.00"), "issue_date": daysAgo(1)},
		{"account_id": r.AccountID, "number": "2025-0003", "amount": eurBody("200.00"), "issue_date": daysAgo(2)},
		{"account_id": r.AccountID, "number": "2025-0004", "amount": eurBody("300.00"), "issue_date": daysAgo(3)},
	}
	api = dying()
	_, err = api.Try(http.MethodPost, "/api/v1/invoices/import", testenv.Admin, lines)
	require.Error(t, err)
	require.True(t, api.Killed(t))
	testenv.Eventually(t, 20*time.Second, "the workflows to write their invoices", func() bool {
		var n int
		require.NoError(t, svc.Store.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices WHERE day_zero IS NOT NULL`).Scan(&n))
		return n == 4
	})
	resp = svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, lines)
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	require.Equal(t, 3, int(resp.Map(t)["duplicates"].(float64)), "the retried import finds them all: %s", resp.Body)

	// Every row has the workflow that follows it.
	rows, err := svc.Store.Pool.Query(ctx, `SELECT id FROM invoices`)
	require.NoError(t, err)
	var ids []string
	for rows.Next() {
		var id string
		require.NoError(t, rows.Scan(&id))
		ids = append(ids, id)
	}
	require.Len(t, ids, 4)
	for _, id := range ids {
		_, err := svc.Temporal.DescribeWorkflowExecution(ctx, workflows.InvoiceWorkflowID(id), "")
		require.NoError(t, err, "invoice %s has its workflow", id)
	}
	_, err = svc.Temporal.DescribeWorkflowExecution(ctx, workflows.CreditRequestWorkflowID(r.ID), "")
	require.NoError(t, err)
}
