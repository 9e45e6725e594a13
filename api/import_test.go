package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/testenv"
)

// TestAnERPImportsInvoicesAsCSV: each row is checked and imported as the
// NDJSON line it spells, and reported by its line in the file.
func TestAnERPImportsInvoicesAsCSV(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 100000, 0)
	issueInvoice(t, svc, account, "ERP-1", "120.00", 3) // imported before

	csv := "\ufeffNumber,account_id,amount,currency,issue_date,due_date,terms_days\r\n" +
		"ERP-1," + account + ",120.00,EUR," + daysAgo(3) + ",,\r\n" + // line 2: a duplicate
		"\"ERP-2, part 1\"," + account + ",1250.50,EUR," + daysAgo(2) + ",,45\r\n" + // line 3
		"ERP-3," + account + ",80.00,EUR," + daysAgo(1) + "," + daysAgo(-29) + ",\r\n" + // line 4
		"\r\n" +
		"\"ERP\n4\"," + account + ",80.00,EUR,2025-02-30,,\r\n" + // lines 6-7: two problems
		"ERP-5," + account + ",,EUR," + daysAgo(1) + ",,net 30\r\n" + // line 8
		"ERP-3," + account + ",80.00,EUR," + daysAgo(1) + "," + daysAgo(-29) + ",\r\n" // line 9: twice in the file
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, csv, "Content-Type", "text/csv; charset=utf-8")
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	var report api.ImportReport
	resp.JSON(t, &report)
	require.Equal(t, 2, report.Created)
	require.Equal(t, 2, report.Duplicates)
	require.Equal(t, 2, report.Errors)
	type line struct {
		Line   int
		Status string
		Fields []string
	}
	var got []line
	for _, l := range report.Lines {
		var fields []string
		for _, e := range l.Errors {
			fields = append(fields, e.Field)
		}
		got = append(got, line{l.Line, l.Status, fields})
	}
	require.Equal(t, []line{
		{2, "duplicate", nil},
		{3, "created", nil},
		{4, "created", nil},
		{6, "invalid", []string{"number", "issue_date"}},
		{8, "invalid", []string{"amount.amount", "terms_days"}},
		{9, "duplicate", nil},
	}, got, "%s", resp.Body)

	created := readInvoice(t, svc, report.Lines[1].InvoiceID)
	require.Equal(t, "ERP-2, part 1", created.Number)
	require.Equal(t, "1250.50", created.Amount.String())
	require.Equal(t, daysAgo(-43), created.DueDate, "terms_days 45 from the issue date")
	require.Equal(t, daysAgo(-29), readInvoice(t, svc, report.Lines[2].InvoiceID).DueDate)
}

// TestACSVImportThatIsNotAnInvoiceTableCreatesNothing: the header and the
// framing are checked before any row is imported.
func TestACSVImportThatIsNotAnInvoiceTableCreatesNothing(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 100000, 0)
	row := account + ",N-1,10.00,EUR," + daysAgo(1)
	for _, c := range []struct{ name, body, detail string }{
		{"an unknown column", "account_id,number,amount,currency,issue_date,colour\n" + row + ",red\n", `("colour") is not one of`},
		{"a missing column", "account_id,number,amount,issue_date\n" + account + ",N-1,10.00," + daysAgo(1) + "\n", "no currency column"},
		{"a column twice", "account_id,number,amount,currency,issue_date,number\n" + row + ",N-2\n", "number twice"},
		{"a row with a cell too many", "account_id,number,amount,currency,issue_date\n" + row + "\n" + row + ",x\n", "line 3 has another number of cells"},
		{"an open quote", "account_id,number,amount,currency,issue_date\n" + row + "\n\"x,N-2,1,EUR,2025-01-01\n", "line 3 is not CSV"},
		{"no rows", "account_id,number,amount,currency,issue_date\n", "the header row is alone"},
		{"nothing", "", "is required"},
		{"not UTF-8", "account_id,number,amount,currency,issue_date\n" + account + ",N-\xff,10.00,EUR," + daysAgo(1) + "\n", "line 2 is not UTF-8"},
	} {
		resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin, c.body, "Content-Type", "text/csv")
		p := requireProblemStatus(t, resp, http.StatusBadRequest, c.name)
		require.Equal(t, []string{"body"}, fieldsOf(p), c.name)
		require.Contains(t, p.Detail, c.detail, c.name)
	}
	var n int
	require.NoError(t, svc.Store.Pool.QueryRow(context.Background(), `SELECT count(*) FROM invoices WHERE account_id = $1`, account).Scan(&n))
	require.Zero(t, n, "nothing was imported")

	// Rows that are all invalid: 422 naming each line's fields.
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/import", testenv.Admin,
		"account_id,number,amount,currency,issue_date\n"+account+",N-1,ten,EUR,"+daysAgo(1)+"\n", "Content-Type", "text/csv")
	p := requireProblemStatus(t, resp, http.StatusUnprocessableEntity, "no valid row")
	require.Contains(t, strings.Join(fieldsOf(p), " "), "lines[2].amount.amount")
}
