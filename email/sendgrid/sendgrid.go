// Package sendgrid delivers Creditflow's emails through SendGrid's v3
// mail/send API.
package sendgrid

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/sendgrid/rest"
	"github.com/sendgrid/sendgrid-go"
	"github.com/sendgrid/sendgrid-go/helpers/mail"

	"github.com/creditflow/creditflow/email"
)

// Sender sends through SendGrid's v3 mail/send API. The library's own
// retrying helpers sleep outside the context, so it sends once and leaves
// retries to the Temporal activity's retry policy.
type Sender struct {
	APIKey string
	Host   string
	Client *rest.Client
}

// New returns a sender for host (SENDGRID_API_HOST).
func New(apiKey, host string) *Sender {
	// The library's default client has no timeout; a hung connection would
	// hold the activity until its start-to-close timeout.
	return &Sender{APIKey: apiKey, Host: host, Client: &rest.Client{HTTPClient: &http.Client{Timeout: 15 * time.Second}}}
}

// Send posts the message. 2xx is success; 429 and 5xx are returned as
// plain errors to retry; other 4xx as *RejectedError.
func (s *Sender) Send(ctx context.Context, m email.Message) error {
	v3 := mail.NewV3Mail()
	v3.SetFrom(mail.NewEmail("Creditflow", m.From))
	v3.Subject = m.Subject
	p := mail.NewPersonalization()
	for _, to := range m.To {
		p.AddTos(mail.NewEmail("", to))
	}
	v3.AddPersonalizations(p)
	v3.AddContent(mail.NewContent("text/plain", m.Text), mail.NewContent("text/html", m.HTML))
	v3.AddCategories("creditflow", m.Kind)
	for k, v := range m.CustomArgs {
		v3.SetCustomArg(k, v)
	}

	req := sendgrid.GetRequest(s.APIKey, "/v3/mail/send", s.Host)
	req.Method = http.MethodPost
	req.Body = mail.GetRequestBody(v3)
	resp, err := s.Client.SendWithContext(ctx, req)
	if err != nil {
		return fmt.Errorf("sendgrid: %w", err)
	}
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("sendgrid answered %d, will retry", resp.StatusCode)
	default:
		return &email.RejectedError{Status: resp.StatusCode, Body: truncate(resp.Body, 500)}
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
