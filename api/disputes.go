package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// The document's Dispute is the domain's.
type Dispute = credit.Dispute

// OpenDispute pauses an invoice's dunning and tells the dispute's owner.
func (h handlers) OpenDispute(ctx context.Context, req OpenDisputeRequestObject) (OpenDisputeResponseObject, error) {
	body := *req.Body
	var v checker
	d := workflows.Dispute{
		ID:         cmp.Or(keyedByRequest(ctx, "dsp", req.Id), newID("dsp")),
		Reason:     v.text("reason", body.Reason, true),
		Department: string(body.Department),
		OwnerEmail: v.email("owner_email", body.OwnerEmail),
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	// Creditflow sends the owner the account's balances: never to an
	// address a caller made up.
	switch _, err := h.Store.UserByEmail(ctx, d.OwnerEmail); {
	case errors.Is(err, store.ErrNotFound):
		return nil, unprocessable(FieldProblem{"owner_email", "must be a user of Creditflow"})
	case err != nil:
		return nil, err
	}
	inv, err := h.readOpenInvoice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if inv.Status == credit.InvoiceDisputed {
		return nil, conflict(fmt.Sprintf("invoice %s is already disputed", inv.ID))
	}
	dr := workflows.DisputeInput{Dispute: d, By: currentUser(ctx).Email}
	if err := h.update(ctx, workflows.InvoiceWorkflowID(inv.ID), d.ID, workflows.DisputeUpdate, dr, nil, settled(inv.ID)); err != nil {
		return nil, err
	}
	opened, err := h.Store.Dispute(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return OpenDispute201JSONResponse(opened), nil
}

// ResolveDispute resumes dunning, optionally with a credit note.
func (h handlers) ResolveDispute(ctx context.Context, req ResolveDisputeRequestObject) (ResolveDisputeResponseObject, error) {
	body := *req.Body
	var v checker
	r := workflows.DisputeResolution{
		DisputeID:  req.Id,
		Resolution: v.text("resolution", body.Resolution, true),
		By:         currentUser(ctx).Email,
	}
	if body.CreditNote != nil {
		note := workflows.MoneyOf(v.positiveMoney("credit_note", *body.CreditNote))
		r.CreditNote = &note
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	d, err := h.Store.Dispute(ctx, r.DisputeID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("dispute", r.DisputeID)
	}
	if err != nil {
		return nil, err
	}
	if d.Status != credit.DisputeOpen {
		return nil, conflict(fmt.Sprintf("dispute %s is already %s", d.ID, d.Status))
	}
	if err := h.update(ctx, workflows.InvoiceWorkflowID(d.InvoiceID), "resolve/"+d.ID, workflows.ResolveDisputeUpdate, r, nil, settled(d.InvoiceID)); err != nil {
		return nil, err
	}
	resolved, err := h.Store.Dispute(ctx, d.ID)
	if err != nil {
		return nil, err
	}
	return ResolveDispute200JSONResponse(resolved), nil
}
