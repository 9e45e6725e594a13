package api

import (
	"context"

	"github.com/creditflow/creditflow/workflows"
)

// WriteOffInvoice ends an invoice's follow-up; the body is optional.
func (h handlers) WriteOffInvoice(ctx context.Context, req WriteOffInvoiceRequestObject) (WriteOffInvoiceResponseObject, error) {
	var v checker
	w := workflows.WriteOff{By: decider(currentUser(ctx))}
	if req.Body != nil {
		w.Reason = v.text("reason", deref(req.Body.Reason), false)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	inv, err := h.readOpenInvoice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if err := h.update(ctx, workflows.InvoiceWorkflowID(inv.ID), "write-off/"+inv.ID, workflows.WriteOffUpdate, w, nil, settled(inv.ID)); err != nil {
		return nil, err
	}
	if inv, err = h.invoiceNow(ctx, inv.ID); err != nil {
		return nil, err
	}
	return WriteOffInvoice200JSONResponse(inv), nil
}
