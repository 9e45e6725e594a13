package desk

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

// requestRow is a credit request in a list, with the company's name.
type requestRow struct {
	credit.CreditRequest
	Name string
	Age  age
}

// age is how long a request has waited, against the review service level
// (the policy's reminder days): past it, reminders and escalations go out.
type age struct {
	Waited string
	Late   bool
}

func (d *Desk) ageOf(r credit.CreditRequest) age {
	waited := d.Now().Sub(r.CreatedAt)
	days := waited.Hours() / d.Day.Hours()
	return age{
		Waited: fmt.Sprintf("%.1f of %d days", days, d.Review.ReminderAfterDays),
		Late:   waited > time.Duration(d.Review.ReminderAfterDays)*d.Day,
	}
}

type inboxData struct {
	Rows        []requestRow
	Next        string
	ServiceDays int
	ShortDay    bool
	DayLength   time.Duration
}

// inbox is the credit team's inbox: GET /api/v1/credit-requests?status=pending_review.
func (d *Desk) inbox(c echo.Context) error {
	u, _ := userOf(c)
	rows, next, err := d.requestRows(c, u, url.Values{"status": {credit.StatusPendingReview}})
	if err != nil {
		return d.problemPage(c, err)
	}
	return d.render(c, http.StatusOK, "inbox.html", "Inbox", inboxData{Rows: rows, Next: next,
		ServiceDays: d.Review.ReminderAfterDays, ShortDay: d.Day != 24*time.Hour, DayLength: d.Day})
}

// requestRows reads a page of credit requests from the API, as the user.
func (d *Desk) requestRows(c echo.Context, u credit.User, q url.Values) ([]requestRow, string, error) {
	if cursor := c.QueryParam("cursor"); cursor != "" {
		q.Set("cursor", cursor)
	}
	var page api.CreditRequestPage
	ctx := c.Request().Context()
	if err := d.call(ctx, u, http.MethodGet, "/api/v1/credit-requests?"+q.Encode(), nil, "", &page); err != nil {
		return nil, "", err
	}
	names := map[string]string{}
	rows := make([]requestRow, 0, len(page.Items))
	for _, r := range page.Items {
		name, err := d.companyName(ctx, u, r, names)
		if err != nil {
			return nil, "", err
		}
		rows = append(rows, requestRow{CreditRequest: r, Name: name, Age: d.ageOf(r)})
	}
	return rows, page.NextCursor, nil
}

// companyName is a pre-approval's prospect, or the account of a limit
// increase as the API shows it to the user (names are remembered per page).
func (d *Desk) companyName(ctx context.Context, u credit.User, r credit.CreditRequest, names map[string]string) (string, error) {
	if r.Prospect != nil {
		return r.Prospect.Name, nil
	}
	if name, ok := names[r.AccountID]; ok {
		return name, nil
	}
	var a credit.Account
	err := d.call(ctx, u, http.MethodGet, "/api/v1/accounts/"+url.PathEscape(r.AccountID), nil, "", &a)
	var p *api.Problem
	switch {
	case errors.As(err, &p):
		a.Name = r.AccountID // not theirs to read: the id is all they see
	case err != nil:
		return "", err
	}
	names[r.AccountID] = a.Name
	return a.Name, nil
}

// problemPage shows what the API refused as a page with the API's
// status: a rep who edits the address to another rep's request reads the
// API's refusal.
func (d *Desk) problemPage(c echo.Context, err error) error {
	var p *api.Problem
	if !errors.As(err, &p) {
		return err
	}
	return d.errorPage(c, p.Status, p.Title, p.Detail)
}
