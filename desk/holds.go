package desk

import (
	"net/http"
	"net/url"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
)

// holdAccount sends the hold form to POST /api/v1/accounts/{id}/holds:
// a hold placed by hand, its reason on the timeline and in the email
// that tells the rep.
func (d *Desk) holdAccount(c echo.Context) error {
	return d.changeHold(c, "hold", "holdAccount", "/holds", "hold_reason")
}

// releaseHolds sends the release form to POST
// /api/v1/accounts/{id}/holds/release: every hold of the account goes.
func (d *Desk) releaseHolds(c echo.Context) error {
	return d.changeHold(c, "release", "releaseAccountHolds", "/holds/release", "release_reason")
}

// changeHold posts one of the two hold forms. Both carry the API's
// reason, under a name of their own on the page (field): the page has
// both forms.
func (d *Desk) changeHold(c echo.Context, which, operation, route, field string) error {
	f := formOf(c, field)
	path := "/api/v1/accounts/" + url.PathEscape(c.Param("id")) + route
	return d.accountAction(c, which, operation, http.MethodPost, path, api.HoldChange{Reason: f.Values[field]}, f,
		func(string) string { return field })
}
