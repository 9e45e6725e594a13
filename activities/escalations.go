package activities

import (
	"context"

	"github.com/creditflow/creditflow/workflows"
)

// RecordEscalation records an escalation to the account's sales rep and
// returns it with the rep's address.
func (a *Activities) RecordEscalation(ctx context.Context, in workflows.OpenEscalationInput) (workflows.Escalation, error) {
	e, err := a.Store.CreateEscalation(ctx, escalationRow(in.Escalation), in.Reason)
	return escalationPayload(e), err
}

// RecordEscalationOverdue records that the rep did not acknowledge in time.
func (a *Activities) RecordEscalationOverdue(ctx context.Context, in workflows.EscalationRef) error {
	return a.Store.EscalationOverdue(ctx, in.EscalationID)
}

// RecordEscalationClosed records that an escalation's invoice was settled
// before the rep acknowledged it.
func (a *Activities) RecordEscalationClosed(ctx context.Context, in workflows.EscalationRef) error {
	return a.Store.CloseEscalation(ctx, in.EscalationID)
}

// RecordAcknowledgement records the rep's acknowledgement.
func (a *Activities) RecordAcknowledgement(ctx context.Context, in workflows.AcknowledgeEscalationInput) (workflows.Escalation, error) {
	e, err := a.Store.AcknowledgeEscalation(ctx, in.EscalationID, acknowledgementRow(in.Acknowledgement), in.At)
	return escalationPayload(e), err
}
