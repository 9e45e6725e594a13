package api

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// The document's Complaint is the domain's.
type Complaint = credit.Complaint

// OpenComplaint logs a customer's complaint on its account with the
// department that owns it. One about an invoice is that invoice's
// dispute, opened through the invoice's workflow as POST
// /invoices/{id}/disputes opens it (its reminders pause, its owner is
// told); the complaint's own workflow then records it and, without an
// invoice, tells its owner.
func (h handlers) OpenComplaint(ctx context.Context, req OpenComplaintRequestObject) (OpenComplaintResponseObject, error) {
	body := *req.Body
	var v checker
	c := credit.Complaint{
		Subject:    v.line("subject", body.Subject, true),
		Department: string(body.Department),
		OwnerEmail: v.email("owner_email", body.OwnerEmail),
		Status:     credit.ComplaintOpen,
		OpenedBy:   currentUser(ctx).Email,
		// As Postgres keeps it, so that the 201 and a later GET agree.
		CreatedAt: h.Now().UTC().Truncate(time.Microsecond),
	}
	if body.InvoiceId != nil {
		c.InvoiceID = v.text("invoice_id", *body.InvoiceId, true)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	a, err := h.readAccount(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if err := h.checkOwner(ctx, "owner_email", c.OwnerEmail); err != nil {
		return nil, err
	}
	c.AccountID = a.ID
	c.ID = cmp.Or(keyedByRequest(ctx, "cmp", a.ID), newID("cmp"))
	if c.InvoiceID != "" {
		if c.DisputeID, err = h.disputeOfComplaint(ctx, c); err != nil {
			return nil, err
		}
	}
	if err := h.startComplaint(ctx, c); err != nil {
		return nil, err
	}
	if stored, err := h.Store.Complaint(ctx, c.ID); err == nil {
		c = stored
	}
	return OpenComplaint201JSONResponse(c), nil
}

// disputeOfComplaint opens the dispute that a complaint about an invoice
// is, under an id from the complaint's: a retry finds it open already.
func (s *Server) disputeOfComplaint(ctx context.Context, c credit.Complaint) (string, error) {
	notOurs := unprocessable(FieldProblem{"invoice_id", "must be an invoice of this account"})
	inv, err := s.Store.Invoice(ctx, c.InvoiceID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		return "", notOurs
	case err != nil:
		return "", err
	case inv.AccountID != c.AccountID:
		return "", notOurs
	case inv.Status == credit.InvoicePaid || inv.Status == credit.InvoiceWrittenOff:
		return "", conflict(fmt.Sprintf("invoice %s is %s: a complaint about it is logged without invoice_id", inv.ID, inv.Status))
	}
	d := workflows.Dispute{
		ID: workflows.KeyedID("dsp", c.ID), Reason: c.Subject, Department: c.Department, OwnerEmail: c.OwnerEmail,
	}
	if _, err := s.Store.Dispute(ctx, d.ID); err == nil {
		return d.ID, nil
	}
	if _, err := s.openDispute(ctx, inv, d); err != nil {
		return "", err
	}
	return d.ID, nil
}

// startComplaint starts the complaint's workflow, then writes its row
// (which the workflow's first activity writes too): a retry finds the
// workflow started and writes nothing twice.
func (s *Server) startComplaint(ctx context.Context, c credit.Complaint) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	in := workflows.Complaint{
		ID: c.ID, AccountID: c.AccountID, Subject: c.Subject, Department: c.Department, OwnerEmail: c.OwnerEmail,
		InvoiceID: c.InvoiceID, DisputeID: c.DisputeID, OpenedBy: c.OpenedBy, CreatedAt: c.CreatedAt,
	}
	_, err := s.Temporal.ExecuteWorkflow(ctx, startOptions(workflows.ComplaintWorkflowID(c.ID), s.TaskQueue), workflows.ComplaintWorkflow, in)
	switch {
	case alreadyStarted(err):
		return nil
	case err != nil:
		s.Logger.Error("start complaint workflow", "complaint_id", c.ID, "error", err)
		return unavailable("the workflow service is not reachable; the complaint is not logged yet, please retry with the same Idempotency-Key")
	}
	if err := s.Store.OpenComplaint(ctx, c); err != nil {
		s.Logger.Warn("complaint row left to its workflow", "complaint_id", c.ID, "error", err)
	}
	return nil
}

// ResolveComplaint closes a complaint, by its owner or by credit. One
// about an invoice is resolved through its dispute: the invoice's
// workflow resumes the follow-up and records the resolution, which closes
// the complaint with it.
func (h handlers) ResolveComplaint(ctx context.Context, req ResolveComplaintRequestObject) (ResolveComplaintResponseObject, error) {
	var v checker
	resolution := v.text("resolution", req.Body.Resolution, true)
	if err := v.err(); err != nil {
		return nil, err
	}
	c, err := h.Store.Complaint(ctx, req.Id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("complaint", req.Id)
	}
	if err != nil {
		return nil, err
	}
	u := currentUser(ctx)
	if !strings.EqualFold(u.Email, c.OwnerEmail) && u.Role != credit.RoleCredit && u.Role != credit.RoleCreditManager {
		return nil, forbidden("only the complaint's owner (" + c.OwnerEmail + ") or credit resolves it")
	}
	if c.Status != credit.ComplaintOpen {
		return nil, conflict(fmt.Sprintf("complaint %s is already %s", c.ID, c.Status))
	}
	if c.DisputeID != "" {
		d, err := h.Store.Dispute(ctx, c.DisputeID)
		if err != nil {
			return nil, err
		}
		// A dispute resolved on its own has closed its complaint already.
		if d.Status == credit.DisputeOpen {
			r := workflows.DisputeResolution{DisputeID: d.ID, Resolution: resolution, By: u.Email}
			if _, err := h.resolveDispute(ctx, d, r); err != nil {
				return nil, err
			}
		}
	}
	if err := h.Store.ResolveComplaint(ctx, c.ID, resolution, u.Email, h.Now().UTC()); err != nil {
		return nil, err
	}
	resolved, err := h.Store.Complaint(ctx, c.ID)
	if err != nil {
		return nil, err
	}
	return ResolveComplaint200JSONResponse(resolved), nil
}
