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
	"github.com/creditflow/creditflow/money"
)

// checkAccountsListed is how many accounts the credit check's list
// offers: the API's largest page; an account beyond it is checked from
// its own page, which links here with it chosen.
const checkAccountsListed = 200

type creditCheckData struct {
	Accounts []credit.Account
	// More: the user has more accounts than the list shows.
	More    bool
	Form    form
	Checked *checkedOrder
}

// checkedOrder is the API's answer to a credit check, for the page.
type checkedOrder struct {
	Account string
	Amount  string
	credit.CreditCheck
}

// creditCheck is the form a rep fills before an order ships: an account
// of theirs and the order's amount.
func (d *Desk) creditCheck(c echo.Context) error {
	f := newForm()
	f.Values["account"] = c.QueryParam("account")
	return d.creditCheckPage(c, http.StatusOK, f, nil)
}

func (d *Desk) creditCheckPage(c echo.Context, status int, f form, checked *checkedOrder) error {
	u, _ := userOf(c)
	var page api.AccountPage
	q := url.Values{"limit": {strconv.Itoa(checkAccountsListed)}}
	if err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/accounts?"+q.Encode(), nil, "", &page); err != nil {
		return d.problemPage(c, err)
	}
	v := creditCheckData{Accounts: page.Items, More: page.NextCursor != "", Form: f, Checked: checked}
	// An account beyond the list, chosen from its own page.
	if id := f.Values["account"]; id != "" && !slices.ContainsFunc(v.Accounts, func(a credit.Account) bool { return a.ID == id }) {
		var a credit.Account
		// One the user may not read is left out: checking it shows the API's refusal.
		err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(id), nil, "", &a)
		var p *api.Problem
		switch {
		case err == nil:
			v.Accounts = append([]credit.Account{a}, v.Accounts...)
		case !errors.As(err, &p):
			return err
		}
	}
	return d.render(c, status, "credit_check.html", "Credit check", v)
}

// checkCredit sends the form to POST /api/v1/accounts/{id}/credit-checks
// in the account's currency; the API says whether the order may ship and
// why, and the page says it again.
func (d *Desk) checkCredit(c echo.Context) error {
	u, _ := userOf(c)
	ctx := c.Request().Context()
	f := formOf(c, "account", "amount")
	fail := func(p *api.Problem) error { return d.creditCheckPage(c, p.Status, f.withProblem(p), nil) }
	if f.Values["account"] == "" {
		return fail(&api.Problem{Status: http.StatusBadRequest, Title: "Bad request",
			Errors: []api.FieldProblem{{Field: "account", Detail: "choose the account that orders"}}})
	}
	path := "/api/v1/accounts/" + url.PathEscape(f.Values["account"])
	var a credit.Account
	err := d.call(ctx, u, http.MethodGet, path, nil, "", &a)
	var p *api.Problem
	if errors.As(err, &p) {
		return fail(p)
	} else if err != nil {
		return err
	}
	body := api.CreditCheckRequest{Amount: api.Money{Amount: f.Values["amount"], Currency: a.CreditLimit.Currency}}
	var check credit.CreditCheck
	err = d.call(ctx, u, http.MethodPost, path+"/credit-checks", body, c.FormValue("idempotency_key"), &check)
	switch {
	case errors.As(err, &p):
		return fail(p)
	case err != nil:
		return err
	}
	order := &checkedOrder{Account: a.Name, Amount: a.CreditLimit.Currency + " " + f.Values["amount"], CreditCheck: check}
	if m, err := money.Parse(f.Values["amount"], a.CreditLimit.Currency); err == nil {
		order.Amount = m.Display() // the API took it, so it parses
	}
	f.Key = randomID() // the next check is a new request
	return d.creditCheckPage(c, http.StatusOK, f, order)
}
