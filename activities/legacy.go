package activities

import (
	"context"
	"time"

	"github.com/creditflow/creditflow/workflows"
)

// The activities below are the first names and positional signatures of
// activities that now take one input struct. Workflows started before that
// change (workflows.singleInputActivities) still call them, and a task
// scheduled before a deploy may run after it: keep them until no workflow
// started before the change runs (an invoice lives until it is paid).

// ApplyDecision is ApplyCreditDecision's first form.
func (a *Activities) ApplyDecision(ctx context.Context, requestID string, d workflows.Decision) error {
	return a.ApplyCreditDecision(ctx, workflows.ApplyDecisionInput{RequestID: requestID, Decision: d})
}

// RecordPayment is RecordInvoicePayment's first form.
func (a *Activities) RecordPayment(ctx context.Context, invoiceID string, p workflows.Payment) (workflows.Settlement, error) {
	return a.RecordInvoicePayment(ctx, workflows.RecordPaymentInput{InvoiceID: invoiceID, Payment: p})
}

// OpenDispute is RecordDispute's first form.
func (a *Activities) OpenDispute(ctx context.Context, d workflows.Dispute, openedBy string) error {
	return a.RecordDispute(ctx, workflows.DisputeInput{Dispute: d, By: openedBy})
}

// ResolveDispute is RecordDisputeResolution's first form.
func (a *Activities) ResolveDispute(ctx context.Context, r workflows.DisputeResolution, at time.Time) (workflows.Settlement, error) {
	return a.RecordDisputeResolution(ctx, workflows.ResolveDisputeInput{Resolution: r, At: at})
}

// RecordPromise is RecordPromiseToPay's first form.
func (a *Activities) RecordPromise(ctx context.Context, key, invoiceID string, p workflows.PromiseToPay) error {
	return a.RecordPromiseToPay(ctx, workflows.RecordPromiseInput{Key: key, InvoiceID: invoiceID, Promise: p})
}

// SettlePromise is SettlePromiseToPay's first form.
func (a *Activities) SettlePromise(ctx context.Context, key, status string) error {
	return a.SettlePromiseToPay(ctx, workflows.SettlePromiseInput{Key: key, Status: status})
}

// WriteOffInvoice is RecordWriteOff's first form.
func (a *Activities) WriteOffInvoice(ctx context.Context, invoiceID string, w workflows.WriteOff) (workflows.Settlement, error) {
	return a.RecordWriteOff(ctx, workflows.WriteOffInput{InvoiceID: invoiceID, WriteOff: w})
}

// OpenEscalation is RecordEscalation's first form.
func (a *Activities) OpenEscalation(ctx context.Context, e workflows.Escalation, reason string) (workflows.Escalation, error) {
	return a.RecordEscalation(ctx, workflows.OpenEscalationInput{Escalation: e, Reason: reason})
}

// MarkEscalationOverdue is RecordEscalationOverdue's first form.
func (a *Activities) MarkEscalationOverdue(ctx context.Context, id string) error {
	return a.RecordEscalationOverdue(ctx, workflows.EscalationRef{EscalationID: id})
}

// CloseEscalation is RecordEscalationClosed's first form.
func (a *Activities) CloseEscalation(ctx context.Context, id string) error {
	return a.RecordEscalationClosed(ctx, workflows.EscalationRef{EscalationID: id})
}

// AcknowledgeEscalation is RecordAcknowledgement's first form.
func (a *Activities) AcknowledgeEscalation(ctx context.Context, id string, ack workflows.Acknowledgement, at time.Time) (workflows.Escalation, error) {
	return a.RecordAcknowledgement(ctx, workflows.AcknowledgeEscalationInput{EscalationID: id, Acknowledgement: ack, At: at})
}
