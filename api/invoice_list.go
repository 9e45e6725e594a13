package api

import (
	"context"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

// InvoicePage is the document's page of invoices.
type InvoicePage = Page[credit.Invoice]

// ListInvoices: a sales rep lists the invoices of their own accounts.
// The items carry no dunning steps (those need each invoice's workflow);
// days_overdue is in calendar days, as an account's open invoices show it.
func (h handlers) ListInvoices(ctx context.Context, req ListInvoicesRequestObject) (ListInvoicesResponseObject, error) {
	limit, after, err := pageParams(req.Params.Limit, req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	f := store.InvoiceFilter{AccountID: deref(req.Params.AccountId), Statuses: statuses(req.Params.Status)}
	if f.AccountID != "" {
		// readAccount answers 404 for an unknown account and 403 for
		// another rep's.
		if _, err := h.readAccount(ctx, f.AccountID); err != nil {
			return nil, err
		}
	} else if u := currentUser(ctx); u.Role == credit.RoleSales {
		f.SalesRep = u.Email
	}
	items, next, err := h.Store.Invoices(ctx, f, after, limit)
	if err != nil {
		return nil, err
	}
	today := h.Now().UTC()
	for k := range items {
		items[k].DaysOverdue = daysOverdue(items[k], today)
	}
	return ListInvoices200JSONResponse(pageOf(items, next)), nil
}

// statuses is a repeated status filter as strings.
func statuses[S ~string](list *[]S) []string {
	out := []string{}
	if list != nil {
		for _, s := range *list {
			out = append(out, string(s))
		}
	}
	return out
}
