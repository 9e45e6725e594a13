package api

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// The document's Escalation is the domain's.
type Escalation = credit.Escalation

// AcknowledgeEscalation: the account's rep answers an escalation, and may
// pause customer reminders while they talk to the customer.
func (h handlers) AcknowledgeEscalation(ctx context.Context, req AcknowledgeEscalationRequestObject) (AcknowledgeEscalationResponseObject, error) {
	body := *req.Body
	var v checker
	ack := workflows.Acknowledgement{Note: v.text("note", body.Note, true), By: decider(currentUser(ctx))}
	if body.PauseUntil != nil {
		if date, ok := v.date("pause_until", *body.PauseUntil); ok {
			ack.PauseUntil = date.Format(time.DateOnly)
		}
	}
	if err := v.err(); err != nil {
		return nil, err
	}
	e, err := h.Store.Escalation(ctx, req.Id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("escalation", req.Id)
	}
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(e.SalesRep, ack.By.Email) {
		return nil, forbidden("only the account's sales rep acknowledges its escalations")
	}
	ack.Rep = e.SalesRep // moved with the account when it was reassigned
	switch e.Status {
	case credit.EscalationAcknowledged:
		return nil, conflict(fmt.Sprintf("escalation %s is already acknowledged", e.ID))
	case credit.EscalationClosed:
		return nil, conflict(fmt.Sprintf("escalation %s is closed: its invoice was settled", e.ID))
	}
	gone := func() string { return fmt.Sprintf("escalation %s is closed: its invoice was settled", e.ID) }
	if err := h.update(ctx, workflows.EscalationWorkflowID(e.ID), "acknowledge/"+e.ID, workflows.AcknowledgeUpdate, ack, nil, gone); err != nil {
		return nil, err
	}
	acknowledged, err := h.Store.Escalation(ctx, e.ID)
	if err != nil {
		return nil, err
	}
	return AcknowledgeEscalation200JSONResponse(acknowledged), nil
}
