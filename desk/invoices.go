package desk

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

type invoiceData struct {
	I           credit.Invoice
	AccountName string
	// Recorded names what the last form recorded, for the notice.
	Recorded string
	// Forms where the user's role may act.
	CanPay, CanDispute, CanPromise bool
	Payment, Dispute, Promise      form
	Departments                    []string
}

// invoice is an invoice's page: what GET /api/v1/invoices/{id} answers
// the user (a rep reading another rep's invoice reads the API's 403),
// with its payments, disputes and promises, and the forms of the user's
// role.
func (d *Desk) invoice(c echo.Context) error {
	return d.invoicePage(c, http.StatusOK, "", form{})
}

// invoicePage shows the invoice; failed is the form the API refused
// (named by which), shown again with what it said.
func (d *Desk) invoicePage(c echo.Context, status int, which string, failed form) error {
	u, _ := userOf(c)
	ctx := c.Request().Context()
	v := invoiceData{Departments: credit.Departments, Recorded: c.QueryParam("recorded"),
		Payment: newForm(), Dispute: newForm(), Promise: newForm()}
	if err := d.call(ctx, u, http.MethodGet, "/api/v1/invoices/"+url.PathEscape(c.Param("id")), nil, "", &v.I); err != nil {
		return d.problemPage(c, err)
	}
	var a credit.Account
	if err := d.call(ctx, u, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(v.I.AccountID), nil, "", &a); err != nil {
		return d.problemPage(c, err)
	}
	v.AccountName = a.Name
	// A form for what the role may do (the API's x-roles) while the
	// invoice is followed up; the API has the last word when it is sent.
	open := v.I.Status == credit.InvoiceOpen || v.I.Status == credit.InvoiceDisputed
	v.CanPay = open && api.Allows(u.Role, "recordPayment")
	v.CanPromise = open && api.Allows(u.Role, "recordPromise")
	v.CanDispute = v.I.Status == credit.InvoiceOpen && api.Allows(u.Role, "openDispute")
	v.Payment.Values["received_on"] = d.Now().UTC().Format(time.DateOnly)
	switch which {
	case "payment":
		v.Payment = failed
	case "dispute":
		v.Dispute = failed
	case "promise":
		v.Promise = failed
	}
	return d.render(c, status, "invoice.html", "Invoice "+v.I.Number+": "+v.AccountName, v)
}

// recordPayment sends the payment form to POST /api/v1/invoices/{id}/payments.
// The day received is sent as its start in UTC, the report's calendar.
func (d *Desk) recordPayment(c echo.Context) error {
	f := formOf(c, "amount", "received_on", "reference")
	body := api.Payment{Amount: api.Money{Amount: f.Values["amount"], Currency: c.FormValue("currency")}}
	if on := f.Values["received_on"]; on != "" {
		body.ReceivedAt = on + "T00:00:00Z"
	}
	if ref := f.Values["reference"]; ref != "" {
		body.Reference = &ref
	}
	return d.invoiceAction(c, "payment", "payments", body, f)
}

// openDispute sends the dispute form to POST /api/v1/invoices/{id}/disputes.
func (d *Desk) openDispute(c echo.Context) error {
	f := formOf(c, "reason", "department", "owner_email")
	body := api.NewDispute{Reason: f.Values["reason"], Department: api.Department(f.Values["department"]), OwnerEmail: f.Values["owner_email"]}
	return d.invoiceAction(c, "dispute", "disputes", body, f)
}

// recordPromise sends the promise form to POST /api/v1/invoices/{id}/promises.
func (d *Desk) recordPromise(c echo.Context) error {
	f := formOf(c, "promised_date", "amount")
	body := api.Promise{PromisedDate: f.Values["promised_date"],
		Amount: api.Money{Amount: f.Values["amount"], Currency: c.FormValue("currency")}}
	return d.invoiceAction(c, "promise", "promises", body, f)
}

// invoiceAction posts a form's body to the invoice's route of the API:
// done, the page again with a notice; refused, the form with the API's
// words. A payment's received_at is the form's received_on.
func (d *Desk) invoiceAction(c echo.Context, which, route string, body any, f form) error {
	u, _ := userOf(c)
	id := c.Param("id")
	err := d.call(c.Request().Context(), u, http.MethodPost, "/api/v1/invoices/"+url.PathEscape(id)+"/"+route, body, c.FormValue("idempotency_key"), nil)
	var p *api.Problem
	switch {
	case errors.As(err, &p):
		if p.Status == http.StatusForbidden || p.Status == http.StatusNotFound {
			return d.problemPage(c, err)
		}
		for i, fp := range p.Errors {
			if fp.Field == "received_at" {
				p.Errors[i].Field = "received_on"
			}
		}
		return d.invoicePage(c, p.Status, which, f.withProblem(p))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/desk/invoices/"+url.PathEscape(id)+"?recorded="+which)
}

// formOf is a posted form's fields as typed, trimmed.
func formOf(c echo.Context, names ...string) form {
	f := newForm()
	for _, name := range names {
		f.Values[name] = strings.TrimSpace(c.FormValue(name))
	}
	return f
}

// overdueText says an invoice's days overdue in words.
func overdueText(days int) string {
	switch {
	case days <= 0:
		return "not overdue"
	case days == 1:
		return "1 day overdue"
	}
	return strconv.Itoa(days) + " days overdue"
}
