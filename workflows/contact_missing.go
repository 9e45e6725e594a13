package workflows

import (
	"fmt"

	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
)

// ContactMissingWorkflow asks the account's sales rep for the right
// billing address after SendGrid reported a customer email undelivered:
// SendGrid accepts almost every message with a 202 and tells of a bad
// address minutes later, through its Event Webhook. Its id names the
// account and the address, so that a second bounce of the same address
// asks nobody again (and the outbox key would send nothing twice anyway).
func ContactMissingWorkflow(ctx workflow.Context, in ContactMissingInput) error {
	ctx = withActivityOptions(ctx)
	what := "bounced"
	if in.Event == "dropped" {
		what = "was dropped by SendGrid"
	}
	reason := fmt.Sprintf("our email to %s %s", in.Address, what)
	if in.Reason != "" {
		reason += ": " + in.Reason
	}
	m := InvoiceEmail{
		Key: ContactMissingWorkflowID(in.AccountID, in.Address) + "/rep", Kind: email.KindContactMissing,
		InvoiceID: in.InvoiceID, Reason: reason,
	}
	return workflow.ExecuteActivity(ctx, SendInvoiceEmailActivity, m).Get(ctx, nil)
}
