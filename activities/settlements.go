package activities

import (
	"context"
	"time"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/workflows"
)

// RecordInvoicePayment applies a payment and releases holds whose cause
// is gone.
func (a *Activities) RecordInvoicePayment(ctx context.Context, in workflows.RecordPaymentInput) (workflows.Settlement, error) {
	s, err := a.Store.RecordPayment(ctx, in.InvoiceID, paymentRow(in.Payment))
	if err != nil {
		return workflows.Settlement{}, err
	}
	if s.Invoice.Status == credit.InvoicePaid {
		if err := a.updateSegment(ctx, s.Invoice.AccountID); err != nil {
			return workflows.Settlement{}, err
		}
	}
	return workflows.Settlement{Released: s.Released}, nil
}

// updateSegment classifies the account again once an invoice is paid, so
// that its segment (shown on the account, read by the digest and the
// reports) is current after every payment; the next invoice's plan uses
// it as before, and running invoices keep the plan they started with.
func (a *Activities) updateSegment(ctx context.Context, accountID string) error {
	d := a.Policy.Dunning
	record, err := a.Store.PaymentRecord(ctx, accountID, time.Now().AddDate(-1, 0, 0), d.SlowLateDays)
	if err != nil {
		return err
	}
	return a.Store.SetSegment(ctx, accountID, d.Segment(record))
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
