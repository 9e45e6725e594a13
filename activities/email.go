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
)

// Audiences an email can be addressed to instead of a person.
const (
	AudienceCreditTeam     = "credit_team"     // CREDITFLOW_CREDIT_TEAM, else every credit analyst
	AudienceCreditManagers = "credit_managers" // every credit manager
)

// Email asks for one email. Key is the outbox key (workflow id + step):
// the same key never sends twice.
type Email struct {
	Key      string            `json:"key"`
	Kind     string            `json:"kind"`
	To       []string          `json:"to,omitempty"`
	Audience string            `json:"audience,omitempty"`
	Facts    map[string]string `json:"facts"`
	// IDs the email concerns, for SendGrid's custom_args:
	// request_id, invoice_id, account_id, escalation_id.
	IDs map[string]string `json:"ids"`
}

// SentEmail says what became of an email.
type SentEmail struct {
	Status string   `json:"status"`
	To     []string `json:"to"`
}

// SendEmail renders an email, writes it to the outbox and sends it through
// SendGrid once. 429 and 5xx are retried by the activity's retry policy;
// a refusal (other 4xx) is recorded and returned as a non-retryable
// EmailRejected error for the workflow to act on.
func (a *Activities) SendEmail(ctx context.Context, e Email) (SentEmail, error) {
	to, err := a.recipients(ctx, e)
	if err != nil {
		return SentEmail{}, err
	}
	if len(to) == 0 {
		return SentEmail{}, temporal.NewNonRetryableApplicationError("nobody to send "+e.Kind+" to", ErrTypeNoRecipient, nil)
	}
	subject, text, html, err := email.Render(e.Kind, e.Facts)
	if err != nil {
		return SentEmail{}, temporal.NewNonRetryableApplicationError(err.Error(), "Template", err)
	}
	args := map[string]string{"kind": e.Kind, "email_key": e.Key}
	for k, v := range e.IDs {
		if v != "" {
			args[k] = v
		}
	}
	m := email.Message{Key: e.Key, Kind: e.Kind, From: a.From, To: to, Subject: subject, Text: text, HTML: html, CustomArgs: args}

	logger := activity.GetLogger(ctx)
	status, err := a.Store.DeliverOnce(ctx, m, e.IDs["account_id"], func(ctx context.Context) (string, error) {
		if a.Mail == nil {
			logger.Info("email not sent: SENDGRID_API_KEY is unset", "kind", e.Kind, "key", e.Key, "to", to, "subject", subject)
			return store.EmailLogged, nil
		}
		return store.EmailSent, a.Mail.Send(ctx, m)
	})
	var rejected *email.RejectedError
	if errors.As(err, &rejected) {
		return SentEmail{Status: status, To: to}, temporal.NewNonRetryableApplicationError(rejected.Error(), ErrTypeEmailRejected, err)
	}
	if err != nil {
		return SentEmail{}, err
	}
	return SentEmail{Status: status, To: to}, nil
}

func (a *Activities) recipients(ctx context.Context, e Email) ([]string, error) {
	to := slices.Clone(e.To)
	switch e.Audience {
	case "":
	case AudienceCreditTeam:
		if a.CreditTeam != "" {
			to = append(to, a.CreditTeam)
			break
		}
		analysts, err := a.Store.EmailsOfRole(ctx, credit.RoleCredit)
		if err != nil {
			return nil, err
		}
		to = append(to, analysts...)
	case AudienceCreditManagers:
		managers, err := a.Store.EmailsOfRole(ctx, credit.RoleCreditManager)
		if err != nil {
			return nil, err
		}
		to = append(to, managers...)
	default:
		return nil, temporal.NewNonRetryableApplicationError("unknown audience "+e.Audience, "Audience", nil)
	}
	slices.Sort(to)
	return slices.Compact(to), nil
}
