package activities

import (
	"context"
	"errors"
	"slices"

	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// SendEmail renders an email, writes it to the outbox and sends it through
// SendGrid once (store.DeliverOnce: no transaction during the call). Only
// SendGrid refusing the recipient's address (a 400 naming it) is recorded
// as rejected and returned as a non-retryable EmailRejected error, which
// the workflow answers by asking the rep for the right contact. Everything
// else is ours and a plain error that the activity's retry policy retries:
// 429, 5xx, timeouts, our key refused (401/403: counted, shown by /readyz,
// logged once per outage by the sender), our bug (413, another 400), and
// another attempt holding the email (store.ErrEmailInFlight). The email
// is rendered again on each attempt, so a fix deployed meanwhile applies.
func (a *Activities) SendEmail(ctx context.Context, e workflows.Email) (workflows.SentEmail, error) {
	to, err := a.recipients(ctx, e)
	if err != nil {
		return workflows.SentEmail{}, err
	}
	if len(to) == 0 {
		return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError("nobody to send "+e.Kind+" to", workflows.ErrTypeNoRecipient, nil)
	}
	subject, text, html, err := email.Render(e.Kind, e.Facts)
	if err != nil {
		return workflows.SentEmail{}, temporal.NewNonRetryableApplicationError(err.Error(), workflows.ErrTypeTemplate, err)
	}
	args := map[string]string{"kind": e.Kind, "email_key": e.Key}
	for k, v := range e.IDs {
		if v != "" {
			args[k] = v
		}
	}
	m := email.Message{Key: e.Key, Kind: e.Kind, From: a.From, To: to, Subject: subject, Text: text, HTML: html, CustomArgs: args}

	logger := activity.GetLogger(ctx)
	row := store.NewEmail{Key: m.Key, Kind: m.Kind, To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML,
		CustomArgs: m.CustomArgs, AccountID: e.IDs["account_id"]}
	status, err := a.Store.DeliverOnce(ctx, row, func(ctx context.Context) (string, error) {
		if a.Mail == nil {
			logger.Info("email not sent: SENDGRID_API_KEY is unset", "kind", e.Kind, "key", e.Key, "to", to, "subject", subject)
			return store.EmailLogged, nil
		}
		err := a.Mail.Send(ctx, m)
		var rejected *email.RejectedError
		if errors.As(err, &rejected) {
			return store.EmailRejected, err
		}
		return store.EmailSent, err
	})
	var rejected *email.RejectedError
	if errors.As(err, &rejected) {
		return workflows.SentEmail{Status: status, To: to}, temporal.NewNonRetryableApplicationError(rejected.Error(), workflows.ErrTypeEmailRejected, err)
	}
	if err != nil {
		return workflows.SentEmail{}, err
	}
	return workflows.SentEmail{Status: status, To: to}, nil
}

func (a *Activities) recipients(ctx context.Context, e workflows.Email) ([]string, error) {
	to := slices.Clone(e.To)
	switch e.Audience {
	case "":
	case workflows.AudienceCreditTeam:
		if a.CreditTeam != "" {
			to = append(to, a.CreditTeam)
			break
		}
		analysts, err := a.Store.EmailsOfRole(ctx, credit.RoleCredit)
		if err != nil {
			return nil, err
		}
		to = append(to, analysts...)
	case workflows.AudienceCreditManagers:
		managers, err := a.Store.EmailsOfRole(ctx, credit.RoleCreditManager)
		if err != nil {
			return nil, err
		}
		to = append(to, managers...)
	default:
		return nil, temporal.NewNonRetryableApplicationError("unknown audience "+e.Audience, workflows.ErrTypeAudience, nil)
	}
	slices.Sort(to)
	return slices.Compact(to), nil
}
