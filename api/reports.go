package api

import (
	"bytes"
	"context"
	"encoding/csv"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
)

// The document's report schemas are the store's.
type ReceivablesReport = store.ReceivablesReport

// ReceivablesReport answers the report as of a date, in JSON, or with
// Accept: text/csv the aging by account. A sales rep gets the report of
// their own accounts.
func (h handlers) ReceivablesReport(ctx context.Context, req ReceivablesReportRequestObject) (ReceivablesReportResponseObject, error) {
	q := store.ReportQuery{AsOf: h.Now().UTC()}
	if s := deref(req.Params.AsOf); s != "" {
		asOf, err := time.Parse(time.DateOnly, s)
		if err != nil || asOf.Year() < 1900 || asOf.Year() > 2999 {
			return nil, badRequest(FieldProblem{"as_of", "must be a calendar date YYYY-MM-DD from 1900 to 2999"})
		}
		q.AsOf = asOf
	}
	if u := currentUser(ctx); u.Role == credit.RoleSales {
		q.SalesRep = u.Email
	}
	if acceptsCSV(deref(req.Params.Accept)) {
		var buf bytes.Buffer
		if err := writeAgingCSV(&buf, func(each func(store.AccountAging) error) error {
			return h.Store.AgingByAccount(ctx, q, each)
		}); err != nil {
			return nil, err
		}
		return ReceivablesReport200TextcsvResponse{Body: &buf, ContentLength: int64(buf.Len())}, nil
	}
	r, err := h.Store.Receivables(ctx, q)
	if err != nil {
		return nil, err
	}
	return ReceivablesReport200JSONResponse(r), nil
}

// acceptsCSV: the caller lists text/csv among the media types it accepts
// (with a q above zero); anything else gets JSON.
func acceptsCSV(accept string) bool {
	for _, r := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(r))
		if err != nil || mt != "text/csv" {
			continue
		}
		if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q <= 0 {
			continue
		}
		return true
	}
	return false
}

// agingCSVHeader names the CSV's columns: amounts are decimal strings in
// the row's currency.
var agingCSVHeader = []string{"account_id", "account_name", "sales_rep", "currency",
	"current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total"}

// writeAgingCSV writes the aging by account as RFC 4180 CSV (CRLF line
// ends, quotes where a field needs them). The rows are written as the
// store reads them; an error leaves nothing sent, so that the caller
// gets a problem, not half a file.
func writeAgingCSV(buf *bytes.Buffer, rows func(func(store.AccountAging) error) error) error {
	w := csv.NewWriter(buf)
	w.UseCRLF = true
	if err := w.Write(agingCSVHeader); err != nil {
		return err
	}
	err := rows(func(a store.AccountAging) error {
		amount := func(minor int64) string { return money.New(minor, a.Currency).String() }
		return w.Write([]string{a.AccountID, spreadsheetText(a.AccountName), spreadsheetText(a.SalesRep), a.Currency,
			amount(a.Current), amount(a.Days1To30), amount(a.Days31To60), amount(a.Days61To90), amount(a.Over90), amount(a.Total)})
	})
	if err != nil {
		return err
	}
	w.Flush()
	return w.Error()
}

// spreadsheetText keeps a spreadsheet from reading a customer's name as
// a formula (CSV injection): text that starts like one gets a leading
// apostrophe, which spreadsheets show as text and do not display.
func spreadsheetText(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
