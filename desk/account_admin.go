package desk

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/credit"
)

// accountFields are the fields of PATCH /api/v1/accounts/{id} that each
// role may change, as the API's ChangeAccount allows them (a sales rep,
// on their own accounts): the administration form shows these inputs and
// no others. The API refuses any other by name (403), and
// TestTheAdministrationFormOffersWhatTheAPILetsEachRoleChange holds the
// two together.
var accountFields = map[string][]string{
	credit.RoleAdmin:         {"sales_rep", "status"},
	credit.RoleCredit:        {"billing_email", "time_zone", "payment_terms_days"},
	credit.RoleCreditManager: {"billing_email", "time_zone", "payment_terms_days"},
	credit.RoleSales:         {"billing_email", "time_zone"},
}

// administrationForm is the form prefilled with the account as it is:
// each text field's value now, kept beside it (was_…) so that only what
// the user changed is sent.
func administrationForm(a credit.Account) form {
	f := newForm()
	f.Values["sales_rep"] = a.SalesRep
	f.Values["billing_email"] = a.BillingEmail
	f.Values["time_zone"] = a.TimeZone
	if a.PaymentTermsDays != nil {
		f.Values["payment_terms_days"] = strconv.Itoa(*a.PaymentTermsDays)
	}
	for _, name := range changeableText {
		f.Values["was_"+name] = f.Values[name]
	}
	return f
}

// changeableText are the form's text fields, each the body's field of
// the same name.
var changeableText = []string{"sales_rep", "billing_email", "time_zone", "payment_terms_days"}

// changeAccount sends what the user changed on the administration form to
// PATCH /api/v1/accounts/{id}, and nothing else: a billing email sent
// again unchanged would count as a new contact (the emails it missed go
// out again). A field the role may not change, or a value the API
// refuses, is the API's word by that field.
func (d *Desk) changeAccount(c echo.Context) error {
	f := formOf(c, append(changeableText, "close")...)
	params, _ := c.FormParams()
	body := map[string]any{}
	for _, name := range changeableText {
		f.Values["was_"+name] = params.Get("was_" + name)
		if _, posted := params[name]; !posted || f.Values[name] == f.Values["was_"+name] {
			continue
		}
		body[name] = f.Values[name]
		if days, err := strconv.Atoi(f.Values[name]); err == nil && name == "payment_terms_days" {
			body[name] = days // else sent as typed, for the API to say what it wants
		}
	}
	if f.Values["close"] != "" {
		body["status"] = credit.AccountClosed
	}
	if len(body) == 0 {
		f.Key, f.Problem = randomID(), "Nothing is changed: change a field first."
		return d.accountPage(c, http.StatusUnprocessableEntity, "changed", f)
	}
	path := "/api/v1/accounts/" + url.PathEscape(c.Param("id"))
	return d.accountAction(c, "changed", "changeAccount", http.MethodPatch, path, body, f, func(field string) string {
		if field == "status" {
			return "close"
		}
		return topField(field)
	})
}
