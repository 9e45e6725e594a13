package email

import (
	"context"
	"fmt"
)

// Sender delivers a rendered message.
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// RejectedError is SendGrid refusing a message for good (a 4xx other than
// 429: a bad address, a malformed request). Retrying cannot help.
type RejectedError struct {
	Status int
	Body   string
}

func (e *RejectedError) Error() string {
	return fmt.Sprintf("sendgrid rejected the message: %d %s", e.Status, e.Body)
}
