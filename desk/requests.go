package desk

import (
	"context"
	"errors"
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

type requestsData struct {
	Caption string
	CanAsk  bool // sales reps file pre-approvals
	Rows    []requestRow
	Next    string
}

// requests lists credit requests as GET /api/v1/credit-requests answers
// the user: a sales rep's own, everybody's for the others.
func (d *Desk) requests(c echo.Context) error {
	u, _ := userOf(c)
	rows, next, err := d.requestRows(c, u, url.Values{})
	if err != nil {
		return d.problemPage(c, err)
	}
	title, caption := "Credit requests", "Credit requests, oldest first"
	if u.Role == credit.RoleSales {
		title, caption = "My requests", "The credit requests you asked for, oldest first"
	}
	return d.render(c, http.StatusOK, "requests.html", title, requestsData{Caption: caption, Rows: rows, Next: next,
		CanAsk: u.Role == credit.RoleSales})
}

type requestData struct {
	R         credit.CreditRequest
	Age       age
	Decided   bool
	CanDecide bool
	// CanSettle: a credit user may mark the approval's pending
	// conditions met (a credit manager may also waive them); Settle is
	// the last settlement form the API refused, and Settled names the
	// condition just settled.
	CanSettle, CanWaive bool
	Settle              form
	Settled             string
	Form                form
	// Choices for the decision form, and the conditions ticked.
	Outcomes []string
	Checked  []string
	// FormAction is where the decision form goes; Link, on the page an
	// emailed action link opens, is that link (actionlinks.go).
	FormAction string
	Link       *actionLinkView
}

// request is a credit request's page, with the decision form for the
// credit team while it waits.
func (d *Desk) request(c echo.Context) error {
	f := newForm()
	return d.requestPage(c, http.StatusOK, f, c.QueryParam("decided") != "")
}

func (d *Desk) requestPage(c echo.Context, status int, f form, decided bool) error {
	u, _ := userOf(c)
	v, name, err := d.requestView(c.Request().Context(), u, c.Param("id"), f)
	if err != nil {
		return d.problemPage(c, err)
	}
	v.Decided, v.Settled = decided, c.QueryParam("settled")
	return d.render(c, status, "request.html", "Credit request: "+name, v)
}

// requestView reads a request as the user, with its company's name.
func (d *Desk) requestView(ctx context.Context, u credit.User, id string, f form) (requestData, string, error) {
	var r credit.CreditRequest
	if err := d.call(ctx, u, http.MethodGet, "/api/v1/credit-requests/"+url.PathEscape(id), nil, "", &r); err != nil {
		return requestData{}, "", err
	}
	name, err := d.companyName(ctx, u, r, map[string]string{})
	if err != nil {
		return requestData{}, "", err
	}
	// Whether this user may decide is the API's to say when they send
	// the form; the form is offered to the roles that decide.
	inCredit := u.Role == credit.RoleCredit || u.Role == credit.RoleCreditManager
	canDecide := r.Status == credit.StatusPendingReview && inCredit
	canSettle := r.Status == credit.StatusApprovedWithConditions && inCredit
	return requestData{
		R: r, Age: d.ageOf(r), CanDecide: canDecide, Form: f, Settle: newForm(),
		CanSettle: canSettle, CanWaive: canSettle && u.Role == credit.RoleCreditManager,
		Outcomes:   []string{credit.OutcomeApprove, credit.OutcomeApproveWithConditions, credit.OutcomeDecline},
		Checked:    f.checked("conditions"),
		FormAction: "/desk/requests/" + url.PathEscape(r.ID) + "/decision",
	}, name, nil
}

// decide sends the decision form to POST /api/v1/credit-requests/{id}/decision:
// the API checks the analyst's limit and that nobody decides their own
// request, and its refusal is shown on the form.
func (d *Desk) decide(c echo.Context) error {
	u, _ := userOf(c)
	f, body := decisionForm(c)
	id := c.Param("id")
	err := d.call(c.Request().Context(), u, http.MethodPost, "/api/v1/credit-requests/"+url.PathEscape(id)+"/decision", body, c.FormValue("idempotency_key"), nil)
	var p *api.Problem
	switch {
	case errors.As(err, &p):
		return d.requestPage(c, p.Status, decisionProblem(f, p), false)
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/desk/requests/"+url.PathEscape(id)+"?decided=1")
}

// settleCondition sends a condition's settlement (met, or waived by a
// credit manager) to POST /api/v1/credit-requests/{id}/conditions/{n}/…;
// the request's workflow has the last word, and its refusal is shown.
func (d *Desk) settleCondition(c echo.Context) error {
	u, _ := userOf(c)
	verb := c.Param("verb")
	if verb != "met" && verb != "waive" {
		return d.errorPage(c, http.StatusNotFound, "Not found", "There is no page at this address.")
	}
	f := formOf(c, "note", "expires_on")
	id, n := c.Param("id"), c.Param("n")
	path := "/api/v1/credit-requests/" + url.PathEscape(id) + "/conditions/" + url.PathEscape(n) + "/" + verb
	body := map[string]string{"note": f.Values["note"]}
	if verb == "met" && f.Values["expires_on"] != "" {
		body["expires_on"] = f.Values["expires_on"] // a letter of credit's
	}
	err := d.call(c.Request().Context(), u, http.MethodPost, path, body, c.FormValue("idempotency_key"), nil)
	var p *api.Problem
	switch {
	case errors.As(err, &p) && p.Status != http.StatusNotFound:
		v, name, err := d.requestView(c.Request().Context(), u, id, newForm())
		if err != nil {
			return d.problemPage(c, err)
		}
		v.Settle = f.withProblem(p)
		return d.render(c, p.Status, "request.html", "Credit request: "+name, v)
	case err != nil:
		return d.problemPage(c, err)
	}
	return c.Redirect(http.StatusSeeOther, "/desk/requests/"+url.PathEscape(id)+"?settled="+url.QueryEscape(n))
}
