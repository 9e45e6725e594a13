package workflows

import (
	"strconv"
	"time"

	"go.temporal.io/sdk/workflow"

	"github.com/creditflow/creditflow/email"
)

// SignInWorkflowID is the workflow id of a sign-in link's email: one
// email per link, however often the start is retried.
func SignInWorkflowID(linkID string) string { return "sign-in/" + linkID }

// SignInEmailWorkflow mails a one-time sign-in link to the credit desk,
// through the outbox like every email. Retries stop when the link
// expires: a link that arrives dead helps nobody, and its owner asks for
// another.
func SignInEmailWorkflow(ctx workflow.Context, in SignInEmailInput) error {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
		StartToCloseTimeout:    30 * time.Second,
		ScheduleToCloseTimeout: in.ValidFor,
		RetryPolicy:            retryPolicy,
	})
	e := Email{
		Key:  SignInWorkflowID(in.LinkID),
		Kind: email.KindSignIn,
		To:   []string{in.Email},
		Facts: map[string]string{
			"Name":         in.Name,
			"Email":        in.Email,
			"ValidMinutes": strconv.Itoa(int(in.ValidFor.Minutes())),
			"Next":         in.Next,
		},
		IDs: map[string]string{SignInLinkIDArg: in.LinkID},
	}
	return workflow.ExecuteActivity(ctx, SendEmailActivity, e).Get(ctx, nil)
}
