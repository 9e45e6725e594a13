package workflows

import "go.temporal.io/sdk/workflow"

// ComplaintWorkflowID names the workflow of one complaint: a retried
// request finds it started and sends nothing twice.
func ComplaintWorkflowID(complaintID string) string { return "complaint/" + complaintID }

// ComplaintWorkflow logs a customer's complaint on its account and tells
// its owner, who answers for it: the row and the timeline first (the API
// writes them too; whichever comes second changes nothing), then the
// email. A complaint about an invoice is that invoice's dispute, whose
// owner the invoice's workflow already told: no second email.
func ComplaintWorkflow(ctx workflow.Context, in Complaint) error {
	ctx = withActivityOptions(ctx)
	var opened ComplaintOpened
	if err := workflow.ExecuteActivity(ctx, RecordComplaintActivity, in).Get(ctx, &opened); err != nil {
		return err
	}
	if opened.Notice == nil {
		return nil
	}
	return workflow.ExecuteActivity(ctx, SendEmailActivity, *opened.Notice).Get(ctx, nil)
}
