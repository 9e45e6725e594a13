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
		ID:         newID("pay"),
		Amount:     workflows.MoneyOf(amount),
		Reference:  v.line("reference", deref(body.Reference), false),
		ReceivedAt: v.instant("received_at", body.ReceivedAt, h.Now()),
		By:         currentUser(ctx).Email,
	}
	if err := v.err(); err != nil {
		return nil, err
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
