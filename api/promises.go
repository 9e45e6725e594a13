package api

import (
	"context"
	"time"

	"github.com/creditflow/creditflow/workflows"
)

// RecordPromise: reminders wait until the promised date; the workflow
// checks how far ahead it may be.
func (h handlers) RecordPromise(ctx context.Context, req RecordPromiseRequestObject) (RecordPromiseResponseObject, error) {
	body := *req.Body
	var v checker
	p := workflows.PromiseToPay{Amount: workflows.MoneyOf(v.positiveMoney("amount", body.Amount)), By: currentUser(ctx).Email}
	if date, ok := v.date("promised_date", body.PromisedDate); ok {
		p.PromisedDate = date.Format(time.DateOnly)
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	inv, err := h.readOpenInvoice(ctx, req.Id)
	if err != nil {
		return nil, err
	}
	if err := h.update(ctx, workflows.InvoiceWorkflowID(inv.ID), "", workflows.PromiseUpdate, p, nil, settled(inv.ID)); err != nil {
		return nil, err
	}
	if inv, err = h.invoiceNow(ctx, inv.ID); err != nil {
		return nil, err
	}
	return RecordPromise200JSONResponse(inv), nil
}
