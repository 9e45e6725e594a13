package desk

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

// maxEscalations bounds the list of escalations waiting for one rep.
const maxEscalations = 100

// escalationView is one escalation as its card shows it.
type escalationView struct {
	E              credit.Escalation
	AccountName    string
	InvoiceNumber  string
	Balance        string
	DueDate        string
	CanAcknowledge bool
	Acknowledged   bool
	Form           form
	CSRF           string
	// FormAction is where the acknowledgement goes; Link, on the page an
	// emailed action link opens, is that link (actionlinks.go), whose
	// form is a plain one.
	FormAction string
	Link       *actionLinkView
}

// escalations lists the escalations waiting for the signed-in rep: open,
// or overdue (which the rep can still acknowledge), as the API lists them.
func (d *Desk) escalations(c echo.Context) error {
	u, _ := userOf(c)
	var waiting api.EscalationPage
	query := url.Values{"status": {"open", "overdue"}, "sales_rep": {u.Email}, "limit": {strconv.Itoa(maxEscalations)}}
	if err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/escalations?"+query.Encode(), nil, "", &waiting); err != nil {
		return d.problemPage(c, err)
	}
	views := make([]escalationView, 0, len(waiting.Items))
	for _, e := range waiting.Items {
		v, err := d.escalationView(c, u, e, newForm())
		if err != nil {
			return d.problemPage(c, err)
		}
		views = append(views, v)
	}
	return d.render(c, http.StatusOK, "escalations.html", "Escalations waiting for you", views)
}

// escalation is one escalation's page, the one its emails link to. Who
// may read it is who may read its account in the API.
func (d *Desk) escalation(c echo.Context) error {
	u, _ := userOf(c)
	e, err := d.readEscalation(c.Request().Context(), c.Param("id"))
	if err != nil {
		return d.problemPage(c, err)
	}
	v, err := d.escalationView(c, u, e, newForm())
	if err != nil {
		return d.problemPage(c, err)
	}
	return d.render(c, http.StatusOK, "escalation.html", "Escalation: "+v.AccountName, v)
}

// acknowledge sends the form to POST /api/v1/escalations/{id}/acknowledge.
// From htmx, the answer is the escalation's card alone.
func (d *Desk) acknowledge(c echo.Context) error {
	u, _ := userOf(c)
	id := c.Param("id")
	f, body := acknowledgementForm(c)
	err := d.call(c.Request().Context(), u, http.MethodPost, "/api/v1/escalations/"+url.PathEscape(id)+"/acknowledge", body, c.FormValue("idempotency_key"), nil)
	var p *api.Problem
	status := http.StatusOK
	switch {
	case errors.As(err, &p):
		status, f = p.Status, f.withProblem(p)
	case err != nil:
		return err
	case c.Request().Header.Get("HX-Request") == "":
		return c.Redirect(http.StatusSeeOther, "/desk/escalations/"+url.PathEscape(id))
	}
	e, err := d.readEscalation(c.Request().Context(), id)
	if err != nil {
		return d.problemPage(c, err)
	}
	v, err := d.escalationView(c, u, e, f)
	if err != nil {
		return d.problemPage(c, err)
	}
	v.Acknowledged = p == nil
	if c.Request().Header.Get("HX-Request") != "" {
		return d.renderFragment(c, status, "escalation.html", "escalation", v)
	}
	return d.render(c, status, "escalation.html", "Escalation: "+v.AccountName, v)
}

func (d *Desk) readEscalation(ctx context.Context, id string) (credit.Escalation, error) {
	e, err := d.Store.Escalation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return e, &api.Problem{Status: http.StatusNotFound, Title: "Escalation not found", Detail: "There is no escalation " + id + "."}
	}
	return e, err
}

// escalationView reads the escalation's account and invoice through the
// API as the user: a rep who may not read the account gets the API's
// refusal instead of the page.
func (d *Desk) escalationView(c echo.Context, u credit.User, e credit.Escalation, f form) (escalationView, error) {
	ctx := c.Request().Context()
	var a credit.Account
	if err := d.call(ctx, u, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(e.AccountID), nil, "", &a); err != nil {
		return escalationView{}, err
	}
	v := escalationView{E: e, AccountName: a.Name, Form: f, CSRF: csrfToken(c, d.Links),
		FormAction: "/desk/escalations/" + url.PathEscape(e.ID) + "/acknowledge",
		// Whether this user may is the API's to say; the form is offered
		// to sales, the role that acknowledges.
		CanAcknowledge: u.Role == credit.RoleSales && (e.Status == credit.EscalationOpen || e.Status == credit.EscalationOverdue)}
	if e.InvoiceID != "" {
		var inv credit.Invoice
		if err := d.call(ctx, u, http.MethodGet, "/api/v1/invoices/"+url.PathEscape(e.InvoiceID), nil, "", &inv); err != nil {
			return escalationView{}, err
		}
		v.InvoiceNumber, v.Balance, v.DueDate = inv.Number, inv.Balance.Display(), inv.DueDate
	}
	return v, nil
}

// acknowledgementForm is the acknowledgement as sent, and the API's body
// for it.
func acknowledgementForm(c echo.Context) (form, api.Acknowledgement) {
	f := newForm()
	f.Values["note"] = strings.TrimSpace(c.FormValue("note"))
	f.Values["pause_until"] = strings.TrimSpace(c.FormValue("pause_until"))
	body := api.Acknowledgement{Note: f.Values["note"]}
	if pause := f.Values["pause_until"]; pause != "" {
		body.PauseUntil = &pause
	}
	return f, body
}
