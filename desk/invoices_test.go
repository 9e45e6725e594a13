package desk_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// issuedInvoice opens an active account of the rep and issues it an
// invoice through the API, ten days old: its follow-up runs, nothing is
// due yet.
func issuedInvoice(t *testing.T, svc *testenv.Service, company, number, amount string) (accountID, invoiceID string) {
	t.Helper()
	accountID = store.NewID("acc")
	_, err := svc.Store.Pool.Exec(context.Background(), `INSERT INTO accounts (id, name, billing_email, status, currency, credit_limit, sales_rep)
		VALUES ($1, $2, 'ap@customer.example', 'active', 'EUR', 10000000, $3)`, accountID, company, testenv.Rep)
	require.NoError(t, err)
	resp := svc.Call(t, http.MethodPost, "/api/v1/invoices", testenv.Analyst, map[string]any{
		"account_id": accountID, "number": number, "amount": map[string]any{"amount": amount, "currency": "EUR"},
		"issue_date": time.Now().UTC().AddDate(0, 0, -10).Format(time.DateOnly),
	})
	require.Equal(t, http.StatusCreated, resp.Status, string(resp.Body))
	var inv credit.Invoice
	resp.JSON(t, &inv)
	return accountID, inv.ID
}

// textOf is the text of the element with this id.
func (b *browser) textOf(id string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID(id)))
	require.NoError(b.t, err, "the text of #"+id)
	return text
}

func TestAnalystRecordsAPaymentOnTheInvoicePageAndSeesTheBalanceFall(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account, invoice := issuedInvoice(t, svc, "Northwind Metals BV", "2025-0101", "1800.00")

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Analyst))
	b.visit("/desk/accounts/" + account)
	b.seePage("Account: Northwind Metals BV")
	b.follow("2025-0101") // the open invoice
	b.seePage("Invoice 2025-0101: Northwind Metals BV")
	require.Equal(t, "EUR 1,800.00", b.textOf("balance"))
	b.see("not overdue")

	b.typeInto("Amount received (EUR)", "500.00")
	b.typeInto("Bank reference (optional)", "BANK-2025-77")
	b.press("Record the payment")
	b.see("The payment is recorded.")
	require.Equal(t, "EUR 1,300.00", b.textOf("balance"))
	b.see("EUR 500.00 received, reference BANK-2025-77 (recorded by " + testenv.Analyst + ")")
	b.screenshot("invoice")

	// More than is owed: the API's word stands next to the amount.
	b.typeInto("Amount received (EUR)", "5000.00")
	b.press("Record the payment")
	b.see("exceeds the balance of EUR 1,300.00")

	inv, err := svc.Store.Invoice(context.Background(), invoice)
	require.NoError(t, err)
	require.Equal(t, "EUR 1,300.00", inv.Balance.Display(), "one payment recorded, not the refused one")
}

func TestARepCannotOpenAnotherRepsInvoiceByEditingTheAddress(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	mine := invoiceOf(t, svc, testenv.AccountOnHold(t, svc.Store, testenv.Rep, "Harbour Mills GmbH", 40))
	theirs := invoiceOf(t, svc, testenv.AccountOnHold(t, svc.Store, testenv.OtherRep, "Copperline Trading Ltd", 10))

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Rep))
	b.visit("/desk/invoices/" + mine)
	b.seePage("Invoice INV-Har: Harbour Mills GmbH")
	b.see("40 days overdue")
	b.see("Record a promise to pay") // a rep's forms: a promise, a dispute
	b.see("Open a dispute")
	b.run("see no payment form", chromedp.WaitNotPresent(buttonNamed("Record the payment")))

	b.visit("/desk/invoices/" + theirs)
	b.seePage("Not allowed")
	b.see("sales reps see the invoices of their own accounts")

	c := signedInClient(t, svc, testenv.Rep)
	status, page := c.get("/desk/invoices/" + theirs)
	require.Equal(t, http.StatusForbidden, status, page)
	require.NotContains(t, page, "Copperline")
	require.NotContains(t, page, "INV-Cop")
}

func TestRepRecordsAPromiseToPayAndOpensADisputeOnTheirInvoice(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	_, invoice := issuedInvoice(t, svc, "Brightwater Foods Ltd", "2025-0202", "900.00")
	promised := time.Now().UTC().AddDate(0, 0, 25).Format(time.DateOnly)

	b := openBrowser(t, svc)
	b.signInWithToken(svc.Token(testenv.Rep))
	b.visit("/desk/invoices/" + invoice)
	b.seePage("Invoice 2025-0202: Brightwater Foods Ltd")
	b.run("pick the promised date", chromedp.SetValue(fieldLabelled("Promised payment date"), promised))
	b.typeInto("Amount promised (EUR)", "900.00")
	b.press("Record the promise")
	b.see("The promise to pay is recorded")
	b.see("EUR 900.00 by " + promised + " (recorded by " + testenv.Rep + "): open")

	b.press("Open the dispute")
	b.see("reason: is required")
	b.typeInto("What the customer disputes", "two pallets arrived damaged")
	b.run("choose the department", chromedp.SetValue(fieldLabelled("Department"), "logistics"))
	b.typeInto("Owner's email", testenv.Analyst)
	b.press("Open the dispute")
	b.see("The dispute is opened")
	b.see("two pallets arrived damaged (logistics, owner " + testenv.Analyst + "): open")
	b.see("disputed")
	b.run("see no second dispute", chromedp.WaitNotPresent(buttonNamed("Open the dispute")))

	inv, err := svc.Store.Invoice(context.Background(), invoice)
	require.NoError(t, err)
	require.Equal(t, credit.InvoiceDisputed, inv.Status)
}

// invoiceOf is the id of an account's one invoice.
func invoiceOf(t *testing.T, svc *testenv.Service, account string) string {
	t.Helper()
	var id string
	require.NoError(t, svc.Store.Pool.QueryRow(context.Background(), `SELECT id FROM invoices WHERE account_id = $1`, account).Scan(&id))
	return id
}
