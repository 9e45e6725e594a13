package email

import (
	"context"
	"fmt"
)

// Sender delivers a rendered message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// RejectedError is SendGrid refusing the recipient's address for good: a
// 400 whose error names a recipient (personalizations.N.to.M.email). It is
// the customer's missing contact data; retrying cannot help. Every other
// refusal is ours to fix and is retried (KeyRejectedError, RefusedError).
type RejectedError struct {
	Status int
	Body   string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("sendgrid rejected the message: %d %s", e.Status, e.Body)
}

// KeyRejectedError is SendGrid refusing our API key (401) or what the key
// may do (403: revoked, missing the mail.send scope, or an unverified
// sender). It is our outage, never the customer's fault: retried by the
// activity's retry policy until someone fixes the key, counted and shown
// by /readyz through KeyStatus.
type KeyRejectedError struct {
	Status int
	Body   string
}

func (e *KeyRejectedError) Error() string {
	return fmt.Sprintf("sendgrid rejects our API key: %d %s", e.Status, e.Body)
}

// RefusedError is SendGrid refusing a message for a reason of ours: a 400
// that names no recipient (a malformed request, our bug), 413 (too large),
// another 4xx. It is retried, so that the email goes out once the fix is
// deployed (each attempt renders the email again); the recipient is never
// blamed for it.
type RefusedError struct {
	Status int
	Body   string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("sendgrid refused our request (our bug, retried): %d %s", e.Status, e.Body)
}
