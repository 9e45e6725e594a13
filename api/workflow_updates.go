package api

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/workflows"
)

// update sends the Workflow Update name with arg to a running workflow,
// waits for its answer and decodes it into result (nil: the caller reads
// the outcome from the store). updateID makes a retried call the same
// update, which Temporal applies once: given (a payment's reference), else
// derived from the request's Idempotency-Key, else random. An update that
// timed out here may still be applied when the workflow's worker returns;
// its retry under the same id gets its outcome. A refusal becomes the HTTP
// answer it means: the workflow's own 409, 403 or 422; 409 saying gone()
// when the workflow has ended; 503 when Temporal did not answer in time.
func (s *Server) update(ctx context.Context, workflowID, updateID, name string, arg, result any, gone func() string) error {
	if updateID == "" {
		updateID = keyedByRequest(ctx, "upd", workflowID+"/"+name)
	}
	handle, err := s.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflowID,
		UpdateID:     updateID,
		UpdateName:   name,
		Args:         []any{arg},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		err = handle.Get(ctx, result)
	}
	if err == nil {
		return nil
	}
	var appErr *temporal.ApplicationError
	var notFound *serviceerror.NotFound
	switch {
	case errors.As(err, &appErr):
		switch appErr.Type() {
		case workflows.ErrTypeConflict:
			return conflict(appErr.Message())
		case workflows.ErrTypeForbidden:
			return forbidden(appErr.Message())
		case workflows.ErrTypeInvalid:
			field, detail, _ := strings.Cut(appErr.Message(), ": ")
			return unprocessable(FieldProblem{Field: field, Detail: detail})
		}
	case errors.As(err, &notFound), strings.Contains(err.Error(), "workflow execution already completed"):
		return conflict(gone())
	}
	return fmt.Errorf("%w: %s %s: %w", errUnavailable, name, workflowID, err)
}

// settled is what an update to an invoice whose workflow has ended hears.
func settled(invoiceID string) func() string {
	return func() string { return "invoice " + invoiceID + " is settled and no longer followed" }
}
