package api

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

// maxOpenInvoicesShown bounds the open invoices GET /accounts/{id} lists;
// the exposure counts them all.
const maxOpenInvoicesShown = 100

func (s *Server) getAccount(c echo.Context) error {
	a, err := s.readAccount(c)
	if err != nil {
		return err
	}
	if a.OpenInvoices, err = s.Store.OpenInvoices(c.Request().Context(), a.ID, maxOpenInvoicesShown); err != nil {
		return err
	}
	today := s.Now().UTC()
	for k := range a.OpenInvoices {
		a.OpenInvoices[k].DaysOverdue = daysOverdue(a.OpenInvoices[k], today)
	}
	return c.JSON(http.StatusOK, a)
}

// readAccount loads the account in the path, if the user may see it.
func (s *Server) readAccount(c echo.Context) (credit.Account, error) {
	id := c.Param("id")
	a, err := s.Store.Account(c.Request().Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return a, notFound("account", truncate(id, 64))
	}
	if err != nil {
		return a, err
	}
	if !canSeeAccount(currentUser(c), a.SalesRep) {
		return a, forbidden("sales reps see their own accounts")
	}
	return a, nil
}

func (s *Server) listAccounts(c echo.Context) error {
	limit, after, err := pageParams(c)
	if err != nil {
		return err
	}
	var v checker
	f := store.AccountFilter{Status: c.QueryParam("status"), SalesRep: c.QueryParam("sales_rep")}
	if f.Status != "" {
		v.oneOf("status", f.Status, credit.AccountProspect, credit.AccountActive, credit.AccountOnHold, credit.AccountClosed)
	}
	if err := v.err(); err != nil {
		return err
	}
	if u := currentUser(c); u.Role == credit.RoleSales {
		if f.SalesRep != "" && !canSeeAccount(u, f.SalesRep) {
			return forbidden("sales reps list their own accounts")
		}
		f.SalesRep = u.Email
	}
	items, next, err := s.Store.Accounts(c.Request().Context(), f, after, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, pageOf(items, next))
}

func (s *Server) accountTimeline(c echo.Context) error {
	a, err := s.readAccount(c)
	if err != nil {
		return err
	}
	limit, afterID, err := idPageParams(c)
	if err != nil {
		return err
	}
	items, next, err := s.Store.Timeline(c.Request().Context(), a.ID, afterID, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, idPageOf(items, next))
}

func (s *Server) listEmails(c echo.Context) error {
	limit, afterID, err := idPageParams(c)
	if err != nil {
		return err
	}
	f := store.EmailFilter{Kind: c.QueryParam("kind"), To: c.QueryParam("to"), AccountID: c.QueryParam("account_id")}
	items, next, err := s.Store.Emails(c.Request().Context(), f, afterID, limit)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, idPageOf(items, next))
}

// Page is a list answer: {"items": [...], "next_cursor": "…"}, with
// next_cursor absent on the last page.
type Page[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

const (
	defaultPageSize = 50
	maxPageSize     = 200
)

func pageSize(c echo.Context) (int, error) {
	s := c.QueryParam("limit")
	if s == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, badRequest("limit", "must be an integer from 1 to "+strconv.Itoa(maxPageSize))
	}
	return n, nil
}

func pageParams(c echo.Context) (int, *store.Cursor, error) {
	limit, err := pageSize(c)
	if err != nil {
		return 0, nil, err
	}
	after, err := store.DecodeCursor(c.QueryParam("cursor"))
	if err != nil || (after != nil && !isText(after.ID)) {
		return 0, nil, badRequest("cursor", "is not a cursor this API returned")
	}
	return limit, after, nil
}

func pageOf[T any](items []T, next *store.Cursor) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if next != nil {
		p.NextCursor = next.Encode()
	}
	return p
}

// idPageParams reads a cursor over rows in id order (outbox, timeline).
func idPageParams(c echo.Context) (int, int64, error) {
	limit, err := pageSize(c)
	if err != nil {
		return 0, 0, err
	}
	var after int64
	if s := c.QueryParam("cursor"); s != "" {
		after, err = strconv.ParseInt(s, 10, 64)
		if err != nil || after < 0 {
			return 0, 0, badRequest("cursor", "is not a cursor this API returned")
		}
	}
	return limit, after, nil
}

func idPageOf[T any](items []T, next int64) Page[T] {
	p := Page[T]{Items: items}
	if p.Items == nil {
		p.Items = []T{}
	}
	if next != 0 {
		p.NextCursor = strconv.FormatInt(next, 10)
	}
	return p
}
