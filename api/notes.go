package api

import (
	"context"

	"github.com/creditflow/creditflow/credit"
)

// The document's Note is the domain's.
type Note = credit.Note

// AddAccountNote writes a note on the account's timeline.
func (h handlers) AddAccountNote(ctx context.Context, req AddAccountNoteRequestObject) (AddAccountNoteResponseObject, error) {
	body := *req.Body
	var v checker
	n := credit.Note{
		ID:         newID("note"),
		Body:       v.text("body", body.Body, true),
		Department: string(body.Department),
		Author:     currentUser(ctx).Email,
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := h.readAccount(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	n.AccountID = a.ID
	if n, err = h.Store.AddNote(ctx, n); err != nil {
		return nil, err
	}
	return AddAccountNote201JSONResponse(n), nil
}
