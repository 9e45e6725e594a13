package api

import (
	"context"

	"github.com/creditflow/creditflow/store"
)

// The document's OutboxEmail is the store's.
type (
	OutboxEmail = store.OutboxEmail
	EmailPage   = Page[store.OutboxEmail]
)

// ListEmails: the outbox, for admins.
func (h handlers) ListEmails(ctx context.Context, req ListEmailsRequestObject) (ListEmailsResponseObject, error) {
	limit, afterID, err := idPageParams(req.Params.Limit, req.Params.Cursor)
	if err != nil {
		return nil, err
	}
	f := store.EmailFilter{Kind: string(deref(req.Params.Kind)), To: deref(req.Params.To), AccountID: deref(req.Params.AccountId)}
	items, next, err := h.Store.Emails(ctx, f, afterID, limit)
	if err != nil {
		return nil, err
	}
	return ListEmails200JSONResponse(idPageOf(items, next)), nil
}
