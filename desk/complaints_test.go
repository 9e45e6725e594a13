package desk_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// TestRepLogsAComplaintAboutAnInvoiceAndCreditResolvesIt: a rep logs a
// customer's complaint about one of the account's invoices for logistics,
// with the sales manager answering for it (first with no subject, then
// with an owner who is no user: the API's words by each field); the
// invoice is disputed meanwhile. The rep may not resolve it (the API's
// refusal shows by the complaint); an analyst does, and the invoice's
// follow-up resumes.
func TestRepLogsAComplaintAboutAnInvoiceAndCreditResolvesIt(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	account, invoice := issuedInvoice(t, svc, "Ashgrove Ceramics Ltd", "2025-0301", "2400.00")

	rep := openBrowser(t, svc)
	rep.signInWithToken(svc.Token(testenv.Rep))
	rep.visit("/desk/accounts/" + account)
	rep.seePage("Account: Ashgrove Ceramics Ltd")
	rep.see("No open complaints.")

	rep.press("Log the complaint")
	rep.see("subject: is required")
	rep.typeInto("What the customer complains of", "the March delivery was two pallets short")
	rep.run("choose the department", chromedp.SetValue(fieldLabelled("Department that owns it"), "logistics"))
	rep.run("choose the invoice", chromedp.SetValue(fieldLabelled("About an invoice (optional)"), invoice))
	rep.typeInto("Owner's email", "somebody@customer.example")
	rep.press("Log the complaint")
	rep.see("must be an enabled user of Creditflow")
	rep.run("the owner field says what is wrong", chromedp.WaitVisible(
		`//input[@id="f-owner_email" and @aria-invalid="true" and contains(@aria-describedby, "f-owner_email-error")]`))
	rep.replace("Owner's email", testenv.SalesManager)
	rep.press("Log the complaint")
	rep.see("The complaint is logged; its owner is told.")
	rep.see("the March delivery was two pallets short (logistics, invoice 2025-0301)")
	rep.see("Logged by " + testenv.Rep)
	rep.see("owner " + testenv.SalesManager)
	rep.see("disputed") // the invoice, in the open invoices
	rep.screenshot("account-complaints")

	inv, err := svc.Store.Invoice(context.Background(), invoice)
	require.NoError(t, err)
	require.Equal(t, credit.InvoiceDisputed, inv.Status, "the complaint is the invoice's dispute")

	rep.typeInto("How it was resolved", "I sorted it out")
	rep.press("Resolve")
	rep.see("Not allowed: only the complaint's owner (" + testenv.SalesManager + ") or credit resolves it")
	rep.see("the March delivery was two pallets short") // still open

	analyst := openBrowser(t, svc)
	analyst.signInWithToken(svc.Token(testenv.Analyst))
	analyst.visit("/desk/accounts/" + account)
	analyst.seePage("Account: Ashgrove Ceramics Ltd")
	analyst.press("Resolve")
	analyst.see("resolution: is required")
	analyst.typeInto("How it was resolved", "credit note for two pallets agreed")
	analyst.press("Resolve")
	analyst.see("The complaint is resolved.")
	analyst.see("No open complaints.")
	analyst.see("credit note for two pallets agreed") // the timeline

	inv, err = svc.Store.Invoice(context.Background(), invoice)
	require.NoError(t, err)
	require.Equal(t, credit.InvoiceOpen, inv.Status, "the invoice's follow-up resumes")

	// A complaint about no invoice, resolved by its owner while the
	// analyst's page is open: the analyst's resolution is the API's
	// conflict, said on the page.
	rep.visit("/desk/accounts/" + account)
	rep.typeInto("What the customer complains of", "the driver was rude at the gate")
	rep.typeInto("Owner's email", testenv.SalesManager)
	rep.press("Log the complaint")
	rep.see("The complaint is logged; its owner is told.")
	rep.see("the driver was rude at the gate (sales)")
	analyst.visit("/desk/accounts/" + account)
	analyst.see("the driver was rude at the gate")
	open, err := svc.Store.OpenComplaints(context.Background(), account)
	require.NoError(t, err)
	require.Len(t, open, 1)
	resp := svc.Call(t, http.MethodPost, "/api/v1/complaints/"+open[0].ID+"/resolve", testenv.SalesManager,
		map[string]any{"resolution": "apologised to the customer"})
	require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
	analyst.typeInto("How it was resolved", "spoke to the haulier")
	analyst.press("Resolve")
	analyst.see("Conflict with the current state: complaint " + open[0].ID + " is already resolved")
	analyst.see("No open complaints.")
	analyst.see("apologised to the customer") // the timeline
}
