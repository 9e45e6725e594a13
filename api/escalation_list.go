package api

import (
	"context"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

// EscalationPage is the document's page of escalations.
type EscalationPage = Page[credit.Escalation]

// ListEscalations: a sales rep lists the escalations addressed to them.
func (h handlers) ListEscalations(ctx context.Context, req ListEscalationsRequestObject) (ListEscalationsResponseObject, error) {
	limit, after, err := pageParams(req.Params.Limit, req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	f := store.EscalationFilter{SalesRep: deref(req.Params.SalesRep), Statuses: statuses(req.Params.Status)}
	if u := currentUser(ctx); u.Role == credit.RoleSales {
		if f.SalesRep != "" && !canSeeAccount(u, f.SalesRep) {
			return nil, forbidden("sales reps list the escalations addressed to them")
		}
		f.SalesRep = u.Email
	}
	items, next, err := h.Store.Escalations(ctx, f, after, limit)
	if err != nil {
		return nil, err
	}
	return ListEscalations200JSONResponse(pageOf(items, next)), nil
}
