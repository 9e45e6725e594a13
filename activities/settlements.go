package activities

import (
	"context"

	"github.com/creditflow/creditflow/workflows"
)

// RecordInvoicePayment applies a payment and releases holds whose cause
// is gone.
func (a *Activities) RecordInvoicePayment(ctx context.Context, in workflows.RecordPaymentInput) (workflows.Settlement, error) {
	s, err := a.Store.RecordPayment(ctx, in.InvoiceID, paymentRow(in.Payment))
	return workflows.Settlement{Released: s.Released}, err
}

// RecordDispute records a dispute.
func (a *Activities) RecordDispute(ctx context.Context, in workflows.DisputeInput) error {
	return a.Store.OpenDispute(ctx, disputeRow(in.Dispute), in.By)
}

// RecordDisputeResolution closes a dispute, applying its credit note.
func (a *Activities) RecordDisputeResolution(ctx context.Context, in workflows.ResolveDisputeInput) (workflows.Settlement, error) {
	s, err := a.Store.ResolveDispute(ctx, resolutionRow(in.Resolution), in.At)
	return workflows.Settlement{Released: s.Released}, err
}

// RecordPromiseToPay keeps a promise to pay.
func (a *Activities) RecordPromiseToPay(ctx context.Context, in workflows.RecordPromiseInput) error {
	return a.Store.RecordPromise(ctx, in.Key, in.InvoiceID, promiseRow(in.Promise))
}

// SettlePromiseToPay marks a promise kept or broken.
func (a *Activities) SettlePromiseToPay(ctx context.Context, in workflows.SettlePromiseInput) error {
	return a.Store.SettlePromise(ctx, in.Key, in.Status)
}

// RecordWriteOff ends an invoice as uncollectable.
func (a *Activities) RecordWriteOff(ctx context.Context, in workflows.WriteOffInput) (workflows.Settlement, error) {
	s, err := a.Store.WriteOffInvoice(ctx, in.InvoiceID, writeOffRow(in.WriteOff))
	return workflows.Settlement{Released: s.Released}, err
}
