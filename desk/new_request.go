package desk

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

// preApprovalField is one input of the new pre-approval form, named by
// the API's path of what it fills (currency fills both amounts).
type preApprovalField struct {
	Name, Label, Type, Hint, Autocomplete string
	Required                              bool
}

var (
	companyFields = []preApprovalField{
		{Name: "prospect.name", Label: "Company name", Type: "text", Autocomplete: "organization", Required: true},
		{Name: "prospect.registration_number", Label: "Registration number", Type: "text", Hint: "As in the company register, e.g. HRB 12345.", Autocomplete: "off", Required: true},
		{Name: "prospect.country", Label: "Country", Type: "text", Hint: "Two letters (ISO 3166), e.g. DE.", Autocomplete: "country", Required: true},
		{Name: "prospect.billing_email", Label: "Billing email", Type: "email", Hint: "Where invoices and reminders go.", Autocomplete: "off", Required: true},
		{Name: "prospect.time_zone", Label: "Time zone (optional)", Type: "text", Hint: "e.g. Europe/Berlin; reminders go out at 09:00 there. UTC if left empty.", Autocomplete: "off"},
		{Name: "prospect.years_in_business", Label: "Years in business", Type: "number", Autocomplete: "off", Required: true},
		{Name: "prospect.annual_revenue", Label: "Annual revenue", Type: "text", Hint: "An amount such as 2500000.00, in the currency below.", Autocomplete: "off", Required: true},
		{Name: "prospect.trade_references", Label: "Trade references", Type: "number", Hint: "How many suppliers vouch for the company.", Autocomplete: "off", Required: true},
	}
	creditFields = []preApprovalField{
		{Name: "requested_limit", Label: "Requested limit", Type: "text", Hint: "An amount such as 50000.00.", Autocomplete: "off", Required: true},
		{Name: "currency", Label: "Currency", Type: "text", Hint: "Of the limit and the revenue: three letters (ISO 4217), e.g. EUR.", Autocomplete: "off", Required: true},
	}
	reasonField = preApprovalField{Name: "reason", Label: "Reason (optional)", Hint: "What the customer will order; the credit team reads it."}
)

// fieldOfPath is the form field that fills an API field: an amount's
// field, the one currency, or the field itself.
func fieldOfPath(path string) string {
	switch {
	case strings.HasSuffix(path, ".currency"):
		return "currency"
	case strings.HasSuffix(path, ".amount"):
		return strings.TrimSuffix(path, ".amount")
	}
	return path
}

func labelOf(name string) string {
	for _, f := range slices.Concat(companyFields, creditFields, []preApprovalField{reasonField}) {
		if f.Name == name {
			return f.Label
		}
	}
	return strings.ReplaceAll(name, "_", " ")
}

type newRequestData struct {
	Form            form
	Company, Credit []fieldView
	Reason          fieldView
	Preview         previewView
}

// previewView is what the live preview shows: the scorecard's verdict, or
// what is still to fill or to correct before there is one.
type previewView struct {
	Score   *api.CreditRequestPreview
	Missing []string
	Check   []api.FieldProblem
	Problem string
}

// newRequest is the form of a new pre-approval.
func (d *Desk) newRequest(c echo.Context) error {
	f := newForm()
	f.Values["currency"] = "EUR"
	return d.newRequestPage(c, http.StatusOK, f)
}

func (d *Desk) newRequestPage(c echo.Context, status int, f form) error {
	views := func(fields []preApprovalField) []fieldView {
		out := make([]fieldView, len(fields))
		for i, p := range fields {
			out[i] = newField(f, p.Name, p.Label, p.Type, p.Hint, p.Required, p.Autocomplete)
		}
		return out
	}
	return d.render(c, status, "new_request.html", "New pre-approval", newRequestData{
		Form: f, Company: views(companyFields), Credit: views(creditFields),
		Reason: newField(f, reasonField.Name, reasonField.Label, "", reasonField.Hint, false, ""),
	})
}

// previewRequest answers htmx, as the rep types, with what the scorecard
// would say of the form as it is (POST /api/v1/credit-requests/preview).
// What the API misses or refuses is listed quietly: the rep is not done.
func (d *Desk) previewRequest(c echo.Context) error {
	u, _ := userOf(c)
	values := preApprovalValues(c)
	var v previewView
	var score api.CreditRequestPreview
	err := d.call(c.Request().Context(), u, http.MethodPost, "/api/v1/credit-requests/preview", preApprovalBody(values), "", &score)
	var p *api.Problem
	switch {
	case errors.As(err, &p) && len(p.Errors) > 0:
		for _, e := range p.Errors {
			name := fieldOfPath(e.Field)
			if values[name] == "" {
				if label := labelOf(name); !slices.Contains(v.Missing, label) {
					v.Missing = append(v.Missing, label)
				}
				continue
			}
			v.Check = append(v.Check, api.FieldProblem{Field: labelOf(name), Detail: e.Detail})
		}
	case errors.As(err, &p):
		v.Problem = p.Detail
		if v.Problem == "" {
			v.Problem = p.Title
		}
	case err != nil:
		return err
	default:
		v.Score = &score
	}
	return d.renderFragment(c, http.StatusOK, "new_request.html", "preview", v)
}

// fileRequest files the pre-approval (POST /api/v1/credit-requests, with
// the form's Idempotency-Key: a double click files it once) and opens its
// page; what the API refuses is shown on the form.
func (d *Desk) fileRequest(c echo.Context) error {
	u, _ := userOf(c)
	f := newForm()
	f.Values = preApprovalValues(c)
	var r credit.CreditRequest
	err := d.call(c.Request().Context(), u, http.MethodPost, "/api/v1/credit-requests", preApprovalBody(f.Values), c.FormValue("idempotency_key"), &r)
	var p *api.Problem
	switch {
	case errors.As(err, &p):
		return d.newRequestPage(c, p.Status, f.withProblemAt(p, fieldOfPath))
	case err != nil:
		return err
	}
	return c.Redirect(http.StatusSeeOther, "/desk/requests/"+url.PathEscape(r.ID))
}

func preApprovalValues(c echo.Context) map[string]string {
	values := map[string]string{}
	for _, f := range slices.Concat(companyFields, creditFields, []preApprovalField{reasonField}) {
		values[f.Name] = strings.TrimSpace(c.FormValue(f.Name))
	}
	return values
}

// preApprovalBody is the API's body of what was typed. A field left empty
// is left out and a number that is not one is sent as typed, so that the
// API names what is missing or wrong.
func preApprovalBody(v map[string]string) map[string]any {
	prospect := map[string]any{}
	body := map[string]any{"kind": credit.KindPreApproval, "prospect": prospect}
	for _, name := range []string{"name", "registration_number", "country", "billing_email", "time_zone"} {
		if s := v["prospect."+name]; s != "" {
			prospect[name] = s
		}
	}
	for _, name := range []string{"years_in_business", "trade_references"} {
		s := v["prospect."+name]
		if n, err := strconv.Atoi(s); err == nil {
			prospect[name] = n
		} else if s != "" {
			prospect[name] = s
		}
	}
	if s := v["prospect.annual_revenue"]; s != "" {
		prospect["annual_revenue"] = map[string]any{"amount": s, "currency": v["currency"]}
	}
	if s := v["requested_limit"]; s != "" {
		body["requested_limit"] = map[string]any{"amount": s, "currency": v["currency"]}
	}
	if s := v["reason"]; s != "" {
		body["reason"] = s
	}
	return body
}
