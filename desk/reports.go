package desk

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/store"
)

type reportsData struct {
	R          store.ReceivablesReport
	Currencies []currencyReport
	Form       form
	// CSV is the aging by account's download, of the same date.
	CSV string
}

// currencyReport is one currency's figures with its chart.
type currencyReport struct {
	store.CurrencyReceivables
	Chart agingChart
}

// reports is the receivables report as GET /api/v1/reports/receivables
// answers the user (a rep's covers their own accounts), with each
// currency's aging drawn as a chart.
func (d *Desk) reports(c echo.Context) error {
	u, _ := userOf(c)
	f := newForm()
	f.Values["as_of"] = strings.TrimSpace(c.QueryParam("as_of"))
	q := url.Values{}
	if asOf := f.Values["as_of"]; asOf != "" {
		q.Set("as_of", asOf)
	}
	var v reportsData
	err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/reports/receivables?"+q.Encode(), nil, "", &v.R)
	var p *api.Problem
	switch {
	case errors.As(err, &p) && p.Status == http.StatusBadRequest:
		// A date the API refuses: the form says so, with today's report.
		v.Form = f.withProblem(p)
		if err := d.call(c.Request().Context(), u, http.MethodGet, "/api/v1/reports/receivables", nil, "", &v.R); err != nil {
			return d.problemPage(c, err)
		}
	case err != nil:
		return d.problemPage(c, err)
	default:
		v.Form = f
	}
	v.Form.Values["as_of"] = v.R.AsOf
	v.CSV = "/desk/reports/aging.csv?" + url.Values{"as_of": {v.R.AsOf}}.Encode()
	for _, cur := range v.R.Currencies {
		v.Currencies = append(v.Currencies, currencyReport{CurrencyReceivables: cur, Chart: newAgingChart(cur.Currency, cur.Aging)})
	}
	return d.render(c, http.StatusOK, "reports.html", "Receivables report", v)
}

// agingCSV is the report's aging by account, as the API writes it with
// Accept: text/csv, for a spreadsheet.
func (d *Desk) agingCSV(c echo.Context) error {
	u, _ := userOf(c)
	q := url.Values{}
	asOf := c.QueryParam("as_of")
	if asOf != "" {
		q.Set("as_of", asOf)
	}
	w, err := d.send(c.Request().Context(), u, apiRequest{Method: http.MethodGet, Path: "/api/v1/reports/receivables?" + q.Encode(), Accept: "text/csv"})
	if err != nil {
		return d.problemPage(c, err)
	}
	name := "aging.csv"
	if asOf != "" {
		name = fmt.Sprintf("aging-%s.csv", asOf) // a date: the API took it
	}
	c.Response().Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	return c.Blob(http.StatusOK, "text/csv; charset=utf-8", w.body.Bytes())
}
