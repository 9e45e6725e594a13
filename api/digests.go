package api

import (
	"context"
	"crypto/rand"
	"strings"

	"github.com/creditflow/creditflow/workflows"
)

// DigestRun answers POST /digests/run.
type DigestRun struct {
	Recipients      int      `json:"recipients"`
	RecipientEmails []string `json:"recipient_emails"`
	WorkflowID      string   `json:"workflow_id"`
}

// digestRecipientsPage is how many recipients one query reads.
const digestRecipientsPage = 500

// RunDigest starts the weekly digest now. Its workflow id is the run's
// own; the emails are keyed by the week, so a second run this week mails
// nobody twice.
func (h handlers) RunDigest(ctx context.Context, _ RunDigestRequestObject) (RunDigestResponseObject, error) {
	emails := []string{}
	for after := ""; ; {
		page, err := h.Store.DigestRecipients(ctx, after, digestRecipientsPage)
		if err != nil {
			return nil, err
		}
		for _, u := range page {
			emails = append(emails, u.Email)
		}
		if len(page) < digestRecipientsPage {
			break
		}
		after = page[len(page)-1].Email
	}
	id := workflows.ManualDigestWorkflowID(h.Now().UTC().Format("20060102T150405Z") + "-" + strings.ToLower(rand.Text()[:8]))
	startCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), startTimeout)
	defer cancel()
	if _, err := h.Temporal.ExecuteWorkflow(startCtx, startOptions(id, h.TaskQueue), workflows.DigestWorkflowName, workflows.DigestInput{}); err != nil {
		h.Logger.Error("start digest workflow", "workflow_id", id, "error", err)
		return nil, unavailable("the workflow service is not reachable; the digest did not start, please retry")
	}
	return RunDigest202JSONResponse(DigestRun{Recipients: len(emails), RecipientEmails: emails, WorkflowID: id}), nil
}
