package api

import (
	"context"

	"github.com/creditflow/creditflow/workflows"
)

// RecordPayment: a payment lowers the balance; the workflow answers.
func (h handlers) RecordPayment(ctx context.Context, req RecordPaymentRequestObject) (RecordPaymentResponseObject, error) {
	body := *req.Body
	var v checker
	amount := v.positiveMoney("amount", body.Amount)
	p := workflows.Payment{
		Amount:     workflows.MoneyOf(amount),
		Reference:  v.line("reference", deref(body.Reference), false),
		ReceivedAt: v.instant("received_at", body.ReceivedAt, h.Now()),
		By:         currentUser(ctx).Email,
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	// The same payment sent again is the first one: its id (and the
	// update's) comes from its bank reference, else from the caller's
	// Idempotency-Key, so Temporal and the store both see it once.
	p.ID = newID("pay")
	if p.Reference != "" {
		p.ID = workflows.KeyedID("pay", req.Id, p.Reference, "reference")
	} else if keyed := keyedByRequest(ctx, "pay", req.Id); keyed != "" {
		p.ID = keyed
	}
	switch recorded, err := h.Store.PaymentRecorded(ctx, p.ID); {
	case err != nil:
		return nil, err
	case recorded:
		inv, err := h.invoiceNow(ctx, req.Id)
		if err != nil {
			return nil, err
		}
		return RecordPayment200JSONResponse(inv), nil
	}
	inv, err := h.readOpenInvoice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if amount.Currency != inv.Balance.Currency {
		return nil, unprocessable(FieldProblem{"amount.currency", "must be the invoice's currency " + inv.Balance.Currency})
	}
	if amount.Minor > inv.Balance.Minor {
		return nil, unprocessable(FieldProblem{"amount.amount", "exceeds the balance of " + inv.Balance.Display()})
	}
	if err := h.update(ctx, workflows.InvoiceWorkflowID(inv.ID), p.ID, workflows.PaymentUpdate, p, nil, settled(inv.ID)); err != nil {
		return nil, err
	}
	if inv, err = h.invoiceNow(ctx, inv.ID); err != nil {
		return nil, err
	}
	return RecordPayment200JSONResponse(inv), nil
}
