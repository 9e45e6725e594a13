// Package sendgrid delivers Creditflow's emails through SendGrid's v3
// mail/send API.
package sendgrid

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
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
	// Key hears of every refusal of our API key and every accepted
	// email (nil: nobody listens).
	Key *email.KeyStatus
	// Refusals counts refusals of ours by status (413, a 400 naming no
	// recipient): creditflow_sendgrid_refused_total. Nil: not counted.
	Refusals func(status int)
}

// New returns a sender for host (SENDGRID_API_HOST).
func New(apiKey, host string) *Sender {
	// The library's default client has no timeout; a hung connection would
	// hold the activity until its start-to-close timeout.
	return &Sender{APIKey: apiKey, Host: host, Client: &rest.Client{HTTPClient: &http.Client{Timeout: 15 * time.Second}}}
}

// Send posts the message. 2xx is success. Only a 400 naming a recipient's
// address is the recipient's: *email.RejectedError, for good. Everything
// else is ours and retried by the activity's retry policy: 429 and 5xx
// (SendGrid busy or down), 401 and 403 (*email.KeyRejectedError: our key),
// and any other 4xx (*email.RefusedError: our bug, such as 413 too large).
func (s *Sender) Send(ctx context.Context, m email.Message) error {
	v3 := mail.NewV3Mail()
	v3.SetFrom(mail.NewEmail("Creditflow", m.From))
	v3.Subject = m.Subject
	if m.ReplyTo != "" {
		v3.SetReplyTo(mail.NewEmail("", m.ReplyTo))
	}
	if m.PerRecipient != nil {
		for _, to := range m.To {
			p := mail.NewPersonalization()
			p.AddTos(mail.NewEmail("", to))
			for k, v := range m.PerRecipient[to] {
				p.SetSubstitution(k, v)
			}
			v3.AddPersonalizations(p)
		}
	} else {
		p := mail.NewPersonalization()
		for _, to := range m.To {
			p.AddTos(mail.NewEmail("", to))
		}
		v3.AddPersonalizations(p)
	}
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
	body := truncate(resp.Body, 500)
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		s.Key.Accepted()
		return nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return fmt.Errorf("sendgrid answered %d, will retry", resp.StatusCode)
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		s.Key.Refused(resp.StatusCode, body)
		return &email.KeyRejectedError{Status: resp.StatusCode, Body: body}
	case resp.StatusCode == http.StatusBadRequest && namesRecipient(resp.Body):
		return &email.RejectedError{Status: resp.StatusCode, Body: body}
	default:
		if s.Refusals != nil {
			s.Refusals(resp.StatusCode)
		}
		return &email.RefusedError{Status: resp.StatusCode, Body: body}
	}
}

// recipientField is where SendGrid's v3 errors point at a recipient's
// address: {"errors":[{"message":"Does not contain a valid address.",
// "field":"personalizations.0.to.0.email"}]}. The from and reply_to
// addresses are ours, as is a missing to array.
var recipientField = regexp.MustCompile(`^personalizations\.\d+\.(to|cc|bcc)\.\d+\.email$`)

// namesRecipient tells whether a 400's body blames a recipient's address.
func namesRecipient(body string) bool {
	var answer struct {
		Errors []struct {
			Field *string `json:"field"`
		} `json:"errors"`
	}
	if json.Unmarshal([]byte(body), &answer) != nil {
		return false
	}
	for _, e := range answer.Errors {
		if e.Field != nil && recipientField.MatchString(*e.Field) {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
