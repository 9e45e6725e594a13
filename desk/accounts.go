package desk

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

// timelineShown is how many timeline entries one account page shows: the
// API's default page, so the page costs one bounded read of the timeline.
const timelineShown = 50

type accountsData struct {
	Caption string
	Rows    []credit.Account
	Next    string
}

// accounts lists accounts as GET /api/v1/accounts answers the user: a
// sales rep's own, everybody's for the others.
func (d *Desk) accounts(c echo.Context) error {
	u, _ := userOf(c)
	q := url.Values{}
	if cursor := c.QueryParam("cursor"); cursor != "" {
		q.Set("cursor", cursor)
	}
	var page api.AccountPage
	if err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/accounts?"+q.Encode(), nil, "", &page); err != nil {
		return d.problemPage(c, err)
	}
	title, caption := "Accounts", "Accounts, oldest first"
	if u.Role == credit.RoleSales {
		title, caption = "My accounts", "The accounts you look after, oldest first"
	}
	return d.render(c, http.StatusOK, "accounts.html", title, accountsData{Caption: caption, Rows: page.Items, Next: page.NextCursor})
}

type accountData struct {
	A credit.Account
	// Used is the exposure's share of the limit in percent, for the
	// meter's text; HasLimit is false for an account with no limit yet.
	Used     int64
	HasLimit bool
	Timeline []credit.TimelineEntry
	// Later is the cursor of the timeline's next page, when there is one.
	Later string
	// CanCheckCredit: the link to the credit check is offered to the
	// roles the API lets check an order.
	CanCheckCredit bool
	// Done names what the last form did, for the notice.
	Done string
	// Refused is what the API said of a form the page no longer offers
	// (a release after somebody else released the holds, a resolution
	// of a complaint resolved meanwhile), shown at the top.
	Refused string
	// Holds: credit places a hold by hand and releases the account's
	// holds, each with a reason.
	CanHold, CanRelease bool
	Hold, Release       form
	// Complaints: anyone who reads the account logs one (a rep, on
	// their own accounts); its owner or credit resolves it, which the
	// API decides when the resolution is sent. Resolve is the last
	// resolution it refused, of the complaint Resolve.Value("complaint").
	CanComplain bool
	Complaint   form
	Resolve     form
	Departments []string
	// Change is the administration form: the fields of PATCH
	// /api/v1/accounts/{id} that the role may change (Changeable).
	Change     form
	Changeable []string
}

// MayChange: the administration form has this field for the user's role.
func (v accountData) MayChange(field string) bool { return slices.Contains(v.Changeable, field) }

// complaintListed: the complaint is among the account's open ones.
func (v accountData) complaintListed(id string) bool {
	return slices.ContainsFunc(v.A.Complaints, func(c credit.Complaint) bool { return c.ID == id })
}

// InvoiceNumber is the number of one of the account's open invoices, for
// a complaint about it; an invoice no longer open shows by its id.
func (v accountData) InvoiceNumber(id string) string {
	for _, inv := range v.A.OpenInvoices {
		if inv.ID == id {
			return inv.Number
		}
	}
	return id
}

// account is an account's page, the one the weekly digest links to: what
// GET /api/v1/accounts/{id} and its timeline answer the user, a refusal
// included (a rep reading another rep's account reads the API's 403),
// with the forms of the user's role.
func (d *Desk) account(c echo.Context) error {
	return d.accountPage(c, http.StatusOK, "", form{})
}

// accountPage shows the account; failed is the form the API refused
// (named by which), shown again with what it said.
func (d *Desk) accountPage(c echo.Context, status int, which string, failed form) error {
	u, _ := userOf(c)
	ctx := c.Request().Context()
	path := "/api/v1/accounts/" + url.PathEscape(c.Param("id"))
	v := accountData{Done: c.QueryParam("done"), Hold: newForm(), Release: newForm(),
		Complaint: newForm(), Resolve: newForm(), Departments: credit.Departments}
	if err := d.call(ctx, u, http.MethodGet, path, nil, "", &v.A); err != nil {
		return d.problemPage(c, err)
	}
	q := url.Values{"limit": {strconv.Itoa(timelineShown)}}
	if cursor := c.QueryParam("timeline"); cursor != "" {
		q.Set("cursor", cursor)
	}
	var timeline api.TimelinePage
	if err := d.call(ctx, u, http.MethodGet, path+"/timeline?"+q.Encode(), nil, "", &timeline); err != nil {
		return d.problemPage(c, err)
	}
	v.Timeline, v.Later = timeline.Items, timeline.NextCursor
	v.CanCheckCredit = api.Allows(u.Role, "checkCredit")
	if limit := v.A.CreditLimit.Minor; limit > 0 {
		v.HasLimit, v.Used = true, v.A.Exposure.Minor*100/limit
	}
	// A form for what the role may do (the API's x-roles) in the
	// account's state; the API has the last word when it is sent.
	customer := v.A.Status == credit.AccountActive || v.A.Status == credit.AccountOnHold
	v.CanHold = customer && api.Allows(u.Role, "holdAccount")
	v.CanRelease = v.A.Status == credit.AccountOnHold && api.Allows(u.Role, "releaseAccountHolds")
	v.CanComplain = api.Allows(u.Role, "openComplaint")
	v.Change, v.Changeable = administrationForm(v.A), accountFields[u.Role]
	shown := true
	switch which {
	case "hold":
		v.Hold, shown = failed, v.CanHold
	case "release":
		v.Release, shown = failed, v.CanRelease
	case "complaint":
		v.Complaint, shown = failed, v.CanComplain
	case "resolved":
		v.Resolve, shown = failed, v.complaintListed(failed.Value("complaint"))
	case "changed":
		v.Change, shown = failed, len(v.Changeable) > 0
	}
	if !shown {
		v.Refused = failed.Problem
	}
	return d.render(c, status, "account.html", "Account: "+v.A.Name, v)
}

// accountAction sends a form's body to the account's route of the API
// that operation names: done, the page again with a notice; refused, the
// form with the API's words, each field problem next to the field
// fieldOf finds for it. An account not found, or a refusal of a role the
// page offers no such form (a form posted by hand), is the API's page.
func (d *Desk) accountAction(c echo.Context, which, operation, method, path string, body any, f form, fieldOf func(string) string) error {
	u, _ := userOf(c)
	err := d.call(c.Request().Context(), u, method, path, body, c.FormValue("idempotency_key"), nil)
	var p *api.Problem
	switch {
	case errors.As(err, &p):
		if p.Status == http.StatusNotFound || !api.Allows(u.Role, operation) {
			return d.problemPage(c, err)
		}
		return d.accountPage(c, p.Status, which, f.withProblemAt(p, fieldOf))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/desk/accounts/"+url.PathEscape(c.Param("id"))+"?done="+which)
}
