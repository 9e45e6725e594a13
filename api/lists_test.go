package api_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// Bad limits, cursors and statuses of these lists are in
// TestQueryParametersAndUnknownIDs, with every list's.

// pagesOf follows next_cursor from path as user and returns the ids of
// each page's items, checking that only the last page has no cursor.
func pagesOf[T any](t *testing.T, svc *testenv.Service, user, path string, id func(T) string) [][]string {
	t.Helper()
	var pages [][]string
	cursor := ""
	for {
		target := path
		if cursor != "" {
			target += "&cursor=" + url.QueryEscape(cursor)
		}
		resp := svc.Call(t, http.MethodGet, target, user, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", target, resp.Body)
		var page struct {
			Items      []T     `json:"items"`
			NextCursor *string `json:"next_cursor"`
		}
		resp.JSON(t, &page)
		require.NotNil(t, page.Items, "items is a list, never null: %s", resp.Body)
		ids := []string{}
		for _, item := range page.Items {
			ids = append(ids, id(item))
		}
		pages = append(pages, ids)
		if page.NextCursor == nil {
			return pages
		}
		require.NotEmpty(t, *page.NextCursor)
		require.Less(t, len(pages), 20, "pagination ends")
		cursor = *page.NextCursor
	}
}

func invoiceID(inv credit.Invoice) string     { return inv.ID }
func escalationID(e credit.Escalation) string { return e.ID }

// fieldsOf lists the fields a problem names.
func fieldsOf(p api.Problem) []string {
	var out []string
	for _, e := range p.Errors {
		out = append(out, e.Field)
	}
	return out
}

func TestInvoicesAreListedAPageAtATimeAndRepsSeeTheirOwn(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	seedReceivables(t, svc) // inv_01 … inv_11, created in that order

	require.Equal(t, [][]string{
		{"inv_01", "inv_02", "inv_03", "inv_04"},
		{"inv_05", "inv_06", "inv_07", "inv_08"},
		{"inv_09", "inv_10", "inv_11"},
	}, pagesOf(t, svc, testenv.Analyst, "/api/v1/invoices?limit=4", invoiceID))
	require.Equal(t, [][]string{{"inv_04", "inv_05", "inv_07"}},
		pagesOf(t, svc, testenv.Admin, "/api/v1/invoices?account_id=acc_beta&status=open", invoiceID))
	require.Equal(t, [][]string{{"inv_01", "inv_02", "inv_04", "inv_05", "inv_07", "inv_08", "inv_10"}},
		pagesOf(t, svc, testenv.CreditManager, "/api/v1/invoices?status=open&status=disputed", invoiceID), "what is unpaid")

	// A rep lists the invoices of alpha and beta, their accounts, only.
	require.Equal(t, [][]string{
		{"inv_01", "inv_02", "inv_03"}, {"inv_04", "inv_05", "inv_06"}, {"inv_07", "inv_11"},
	}, pagesOf(t, svc, testenv.Rep, "/api/v1/invoices?limit=3", invoiceID))
	require.Equal(t, [][]string{{"inv_08", "inv_09", "inv_10"}}, pagesOf(t, svc, testenv.OtherRep, "/api/v1/invoices?", invoiceID))
	require.Equal(t, [][]string{{"inv_09"}}, pagesOf(t, svc, testenv.OtherRep, "/api/v1/invoices?account_id=acc_gamma&status=paid", invoiceID))
	resp := svc.Call(t, http.MethodGet, "/api/v1/invoices?account_id=acc_gamma", testenv.Rep, nil)
	require.Equal(t, http.StatusForbidden, resp.Status, string(resp.Body))
	resp = svc.Call(t, http.MethodGet, "/api/v1/invoices?account_id=acc_nobody", testenv.Analyst, nil)
	require.Equal(t, http.StatusNotFound, resp.Status, string(resp.Body))

	// The items are invoices without their steps; days overdue in
	// calendar days today, none once paid.
	resp = svc.Call(t, http.MethodGet, "/api/v1/invoices?account_id=acc_alpha&limit=3", testenv.Rep, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	require.NotContains(t, string(resp.Body), "steps_taken")
	require.NotContains(t, string(resp.Body), "next_step")
	var page struct{ Items []credit.Invoice }
	resp.JSON(t, &page)
	i1, i2, i3 := page.Items[0], page.Items[1], page.Items[2]
	require.Equal(t, "I1", i1.Number)
	require.Equal(t, "1000.00", i1.Amount.String())
	require.Equal(t, "1500.00", i2.Balance.String())
	require.Equal(t, "2025-05-31", i2.DueDate)
	require.Equal(t, credit.InvoicePaid, i3.Status)
	require.Zero(t, i3.DaysOverdue)
	today := time.Now().UTC().Truncate(24 * time.Hour)
	due, _ := time.Parse(time.DateOnly, i1.DueDate)
	require.Equal(t, int(today.Sub(due).Hours()/24), i1.DaysOverdue)
}

func TestEscalationsWaitingForARepAreListedToThatRep(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	seedReceivables(t, svc)

	// In creation order: esc_5, esc_4, esc_7, esc_8, esc_1, esc_2, esc_3, esc_9, esc_6.
	require.Equal(t, [][]string{{"esc_5", "esc_4"}, {"esc_7", "esc_8"}, {"esc_1", "esc_2"}, {"esc_3", "esc_9"}, {"esc_6"}},
		pagesOf(t, svc, testenv.CreditManager, "/api/v1/escalations?limit=2", escalationID))
	require.Equal(t, [][]string{{"esc_3"}}, pagesOf(t, svc, testenv.Analyst, "/api/v1/escalations?status=open", escalationID))
	// Not acknowledged in time, it still waits for the rep.
	require.Equal(t, [][]string{{"esc_3", "esc_9"}},
		pagesOf(t, svc, testenv.Admin, "/api/v1/escalations?status=open&status=overdue", escalationID))
	require.Equal(t, [][]string{{"esc_7", "esc_8", "esc_9"}},
		pagesOf(t, svc, testenv.Analyst, "/api/v1/escalations?sales_rep="+testenv.OtherRep, escalationID))

	// A rep lists what was addressed to them, only.
	require.Equal(t, [][]string{{"esc_3"}}, pagesOf(t, svc, testenv.Rep, "/api/v1/escalations?status=open", escalationID))
	require.Equal(t, [][]string{{}}, pagesOf(t, svc, testenv.OtherRep, "/api/v1/escalations?status=open", escalationID))
	require.Equal(t, [][]string{{"esc_9"}}, pagesOf(t, svc, testenv.OtherRep, "/api/v1/escalations?status=open&status=overdue", escalationID))
	require.Equal(t, [][]string{{"esc_5", "esc_4", "esc_1", "esc_2"}, {"esc_3", "esc_6"}},
		pagesOf(t, svc, testenv.Rep, "/api/v1/escalations?limit=4", escalationID))
	require.Equal(t, [][]string{{"esc_5", "esc_4", "esc_1", "esc_2", "esc_3", "esc_6"}},
		pagesOf(t, svc, testenv.Rep, "/api/v1/escalations?sales_rep="+strings.ToUpper(testenv.Rep), escalationID))
	resp := svc.Call(t, http.MethodGet, "/api/v1/escalations?sales_rep="+testenv.OtherRep, testenv.Rep, nil)
	require.Equal(t, http.StatusForbidden, resp.Status, string(resp.Body))

	// The items are escalations as POST …/acknowledge answers them.
	resp = svc.Call(t, http.MethodGet, "/api/v1/escalations?status=acknowledged&limit=1", testenv.Rep, nil)
	require.Equal(t, http.StatusOK, resp.Status)
	var page struct{ Items []credit.Escalation }
	resp.JSON(t, &page)
	require.Len(t, page.Items, 1)
	e := page.Items[0]
	require.Equal(t, "esc_5", e.ID)
	require.Equal(t, "acc_alpha", e.AccountID)
	require.Equal(t, testenv.Rep, e.SalesRep)
	require.Equal(t, credit.EscalationAcknowledged, e.Status)
	require.Equal(t, time.Date(2025, 3, 1, 1, 0, 0, 0, time.UTC), e.AcknowledgedAt.UTC())
}
