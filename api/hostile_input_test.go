package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
)

// The bearer scheme is case-insensitive (RFC 9110): clients that send
// "bearer" or "BEARER" are let in.
func TestBearerSchemeInAnyCase(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		resp := svc.Call(t, http.MethodGet, "/api/v1/credit-requests", "", nil, "Authorization", scheme+" "+svc.Token(testenv.Analyst))
		require.Equal(t, http.StatusOK, resp.Status, "%s: %s", scheme, resp.Body)
	}
}

// Names and numbers reach email subjects: a line break or another control
// character in them is refused, naming the field.
func TestSingleLineFieldsRefuseControlCharacters(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	for _, bad := range []string{"Acme\r\nBcc: everyone@example.com", "Acme\tTools", "Acme\u0085Tools", "Acme\x1bTools"} {
		for _, field := range []string{"prospect.name", "prospect.registration_number"} {
			body := with(t, preApproval("20000.00"), field, bad)
			requireBadInput(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, body),
				badInput{name: field + " " + bad, status: http.StatusUnprocessableEntity, fields: []string{field}})
		}
	}
	account := newAccount(t, svc, 100000, 0)
	invoice := map[string]any{"account_id": account, "number": "2025-1\nX", "amount": eurBody("10.00"), "issue_date": daysAgo(1)}
	requireBadInput(t, svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, invoice),
		badInput{name: "number", status: http.StatusUnprocessableEntity, fields: []string{"number"}})

	// A multi-line field keeps its line breaks.
	note := svc.Call(t, http.MethodPost, "/api/v1/accounts/"+account+"/notes", testenv.Analyst,
		map[string]any{"body": "called them\nthey pay Friday", "department": "credit"})
	require.Equal(t, http.StatusCreated, note.Status, string(note.Body))
}

// A payment was received at a moment that has happened.
func TestPaymentDatesAreBounded(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 100000, 0)
	inv := issueInvoice(t, svc, account, "2025-0001", "100.00", 1)
	for _, at := range []string{time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339), "1969-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"} {
		resp := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/payments", testenv.Analyst,
			map[string]any{"amount": eurBody("10.00"), "received_at": at})
		requireBadInput(t, resp, badInput{name: at, status: http.StatusUnprocessableEntity, fields: []string{"received_at"}})
	}
	ok := svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/payments", testenv.Analyst,
		map[string]any{"amount": eurBody("10.00"), "received_at": time.Now().UTC().Format(time.RFC3339)})
	require.Equal(t, http.StatusOK, ok.Status, string(ok.Body))
}

// A payment's reference is unique per invoice: sent again (a bank file
// imported twice), it is the same payment, recorded once, and answered as
// the first time, even once the invoice is paid.
func TestTheSamePaymentReferenceIsRecordedOnce(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	account := newAccount(t, svc, 100000, 0)
	inv := issueInvoice(t, svc, account, "2025-0001", "100.00", 1)
	pay := func(amount, reference string) testenv.Response {
		return svc.Call(t, http.MethodPost, "/api/v1/invoices/"+inv.ID+"/payments", testenv.Analyst, map[string]any{
			"amount": eurBody(amount), "received_at": time.Now().UTC().Format(time.RFC3339), "reference": reference})
	}
	balance := func(resp testenv.Response) string {
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		return resp.Map(t)["balance"].(map[string]any)["amount"].(string)
	}
	require.Equal(t, "60.00", balance(pay("40.00", "bank 1")))
	require.Equal(t, "60.00", balance(pay("40.00", "bank 1")), "the same payment again")
	require.Equal(t, "0.00", balance(pay("60.00", "bank 2")))
	require.Equal(t, "0.00", balance(pay("40.00", "bank 1")), "still the first answer once the invoice is paid")

	var n int
	require.NoError(t, svc.Store.Pool.QueryRow(t.Context(), `SELECT count(*) FROM payments WHERE invoice_id = $1`, inv.ID).Scan(&n))
	require.Equal(t, 2, n)
}
