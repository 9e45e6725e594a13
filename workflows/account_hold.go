package workflows

import "go.temporal.io/sdk/workflow"

// AccountHoldWorkflowID names a hold placed or released by hand.
func AccountHoldWorkflowID(key string) string { return "account-hold/" + key }

// AccountHoldWorkflow carries out a credit person's hold or release of an
// account: the hold's row and the timeline first, then, when the account
// went on hold or came off it, an email to its sales rep, who must not
// learn of it from an angry customer. The API waits for its result; it
// runs in the interactive lane, where it is started.
func AccountHoldWorkflow(ctx workflow.Context, in HoldChangeInput) (HoldChanged, error) {
	ctx = withActivityOptions(ctx)
	var out HoldChanged
	if err := workflow.ExecuteActivity(ctx, ChangeHoldActivity, in).Get(ctx, &out); err != nil {
		return out, err
	}
	if out.Notice != nil {
		if err := workflow.ExecuteActivity(ctx, SendEmailActivity, *out.Notice).Get(ctx, nil); err != nil {
			return out, err
		}
	}
	return out, nil
}

// ContactChangedWorkflowID names the answer to one new billing address:
// the same address given twice sends nothing twice.
func ContactChangedWorkflowID(accountID, address string) string {
	return "contact-changed/" + accountID + "/" + address
}

// ContactChangedWorkflow answers a contact_missing: when the rep or credit
// gives an account a new billing address, the last customer email of each
// invoice still owed that did not arrive (refused, bounced or dropped) is
// sent again, once, to the new address. Every later email goes there
// anyway: it reads the account when it goes out.
func ContactChangedWorkflow(ctx workflow.Context, in ContactChangedInput) (int, error) {
	ctx = withActivityOptions(ctx)
	var resent int
	err := workflow.ExecuteActivity(ctx, ResendToNewContactActivity, in).Get(ctx, &resent)
	return resent, err
}
