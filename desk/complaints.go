package desk

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
)

// logComplaint sends the complaint form to POST
// /api/v1/accounts/{id}/complaints. With an invoice chosen the complaint
// is that invoice's dispute (its reminders pause); the API says whether
// the owner is a user and the invoice the account's.
func (d *Desk) logComplaint(c echo.Context) error {
	f := formOf(c, "subject", "department", "owner_email", "invoice_id")
	body := api.NewComplaint{Subject: f.Values["subject"], Department: api.Department(f.Values["department"]),
		OwnerEmail: f.Values["owner_email"]}
	if invoice := f.Values["invoice_id"]; invoice != "" {
		body.InvoiceId = &invoice
	}
	path := "/api/v1/accounts/" + url.PathEscape(c.Param("id")) + "/complaints"
	return d.accountAction(c, "complaint", "openComplaint", http.MethodPost, path, body, f, topField)
}

// resolveComplaint sends a complaint's resolution to POST
// /api/v1/complaints/{id}/resolve. Who may resolve it (its owner, or
// credit) is the API's to say: its refusal shows by the complaint.
func (d *Desk) resolveComplaint(c echo.Context) error {
	f := formOf(c, "resolution")
	f.Values["complaint"] = c.Param("complaint")
	path := "/api/v1/complaints/" + url.PathEscape(c.Param("complaint")) + "/resolve"
	return d.accountAction(c, "resolved", "resolveComplaint", http.MethodPost, path, api.ComplaintResolution{Resolution: f.Values["resolution"]}, f, topField)
}
