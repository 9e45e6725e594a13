package api

import (
	"context"
	"errors"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

// The document's Account and TimelineEntry are the domain's.
type (
	Account       = credit.Account
	TimelineEntry = credit.TimelineEntry
	AccountPage   = Page[credit.Account]
	TimelinePage  = Page[credit.TimelineEntry]
)

// maxOpenInvoicesShown bounds the open invoices GET /accounts/{id} lists;
// the exposure counts them all.
const maxOpenInvoicesShown = 100

func (h handlers) GetAccount(ctx context.Context, req GetAccountRequestObject) (GetAccountResponseObject, error) {
	if _, err := h.readAccount(ctx, req.Id); err != nil {
		return nil, err
	}
	a, err := h.showAccount(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	return GetAccount200JSONResponse(a), nil
}

// showAccount reads one account as GET /accounts/{id} shows it: with its
// review, its open invoices, its holds and its open complaints.
func (s *Server) showAccount(ctx context.Context, id string) (credit.Account, error) {
	a, err := s.Store.Account(ctx, id)
	if err != nil {
		return a, err
	}
	if err := s.addReviews(ctx, []*credit.Account{&a}); err != nil {
		return a, err
	}
	if a.OpenInvoices, err = s.Store.OpenInvoices(ctx, a.ID, maxOpenInvoicesShown); err != nil {
		return a, err
	}
	today := s.Now().UTC()
	for k := range a.OpenInvoices {
		a.OpenInvoices[k].DaysOverdue = daysOverdue(a.OpenInvoices[k], today)
	}
	if a.Holds, err = s.Store.ActiveHolds(ctx, a.ID); err != nil {
		return a, err
	}
	if a.PendingConditions, err = s.Store.PendingConditions(ctx, a.ID); err != nil {
		return a, err
	}
	a.Complaints, err = s.Store.OpenComplaints(ctx, a.ID)
	return a, err
}

// readAccount loads an account, if the user may see it.
func (s *Server) readAccount(ctx context.Context, id string) (credit.Account, error) {
	a, err := s.Store.Account(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, notFound("account", id)
	}
	if err != nil {
		return a, err
	}
	if !canSeeAccount(currentUser(ctx), a.SalesRep) {
		return a, forbidden("sales reps see their own accounts")
	}
	return a, nil
}

// ListAccounts: a sales rep lists their own accounts.
func (h handlers) ListAccounts(ctx context.Context, req ListAccountsRequestObject) (ListAccountsResponseObject, error) {
	limit, after, err := pageParams(req.Params.Limit, req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	f := store.AccountFilter{Status: string(deref(req.Params.Status)), SalesRep: deref(req.Params.SalesRep)}
	if u := currentUser(ctx); u.Role == credit.RoleSales {
		if f.SalesRep != "" && !canSeeAccount(u, f.SalesRep) {
			return nil, forbidden("sales reps list their own accounts")
		}
		f.SalesRep = u.Email
	}
	items, next, err := h.Store.Accounts(ctx, f, after, limit)
	if err != nil {
		return nil, err
	}
	page := make([]*credit.Account, len(items))
	for k := range items {
		page[k] = &items[k]
	}
	if err := h.addReviews(ctx, page); err != nil {
		return nil, err
	}
	return ListAccounts200JSONResponse(pageOf(items, next)), nil
}

func (h handlers) AccountTimeline(ctx context.Context, req AccountTimelineRequestObject) (AccountTimelineResponseObject, error) {
	a, err := h.readAccount(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	limit, afterID, err := idPageParams(req.Params.Limit, req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	items, next, err := h.Store.Timeline(ctx, a.ID, afterID, limit)
	if err != nil {
		return nil, err
	}
	return AccountTimeline200JSONResponse(idPageOf(items, next)), nil
}
