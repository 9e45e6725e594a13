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
	if err := h.checkOwner(ctx, "owner_email", d.OwnerEmail); err != nil {
		return nil, err
	}
	inv, err := h.readOpenInvoice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	opened, err := h.openDispute(ctx, inv, d)
	if err != nil {
		return nil, err
	}
	return OpenDispute201JSONResponse(opened), nil
}

// checkOwner refuses an owner (of a dispute, of a complaint) who is not
// an enabled user: Creditflow sends the owner the account's balances,
// never to an address a caller made up.
func (s *Server) checkOwner(ctx context.Context, field, address string) error {
	u, err := s.Store.UserByEmail(ctx, address)
	switch {
	case errors.Is(err, store.ErrNotFound), err == nil && u.DisabledAt != nil:
		return unprocessable(FieldProblem{field, "must be an enabled user of Creditflow"})
	case err != nil:
		return err
	}
	return nil
}

// openDispute hands a dispute to the invoice's workflow, which pauses its
// follow-up, records it and tells its owner; it answers the dispute as
// stored.
func (s *Server) openDispute(ctx context.Context, inv credit.Invoice, d workflows.Dispute) (credit.Dispute, error) {
	if inv.Status == credit.InvoiceDisputed {
		return credit.Dispute{}, conflict(fmt.Sprintf("invoice %s is already disputed", inv.ID))
	}
	dr := workflows.DisputeInput{Dispute: d, By: currentUser(ctx).Email}
	if err := s.update(ctx, workflows.InvoiceWorkflowID(inv.ID), d.ID, workflows.DisputeUpdate, dr, nil, settled(inv.ID)); err != nil {
		return credit.Dispute{}, err
	}
	return s.Store.Dispute(ctx, d.ID)
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
	resolved, err := h.resolveDispute(ctx, d, r)
	if err != nil {
		return nil, err
	}
	return ResolveDispute200JSONResponse(resolved), nil
}

// resolveDispute hands a resolution to the invoice's workflow, which
// resumes its follow-up and records it (a complaint that is this dispute
// is resolved with it); it answers the dispute as stored.
func (s *Server) resolveDispute(ctx context.Context, d credit.Dispute, r workflows.DisputeResolution) (credit.Dispute, error) {
	if d.Status != credit.DisputeOpen {
		return d, conflict(fmt.Sprintf("dispute %s is already %s", d.ID, d.Status))
	}
	if err := s.update(ctx, workflows.InvoiceWorkflowID(d.InvoiceID), "resolve/"+d.ID, workflows.ResolveDisputeUpdate, r, nil, settled(d.InvoiceID)); err != nil {
		return d, err
	}
	return s.Store.Dispute(ctx, d.ID)
}
