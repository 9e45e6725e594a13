package credit

import "time"

// Reply statuses: received (stored, not yet matched), unmatched (no
// account could be told: kept for an admin), unread (on the account's
// timeline, the customer's reminders paused), read (someone in credit
// read it).
const (
	ReplyReceived  = "received"
	ReplyUnmatched = "unmatched"
	ReplyUnread    = "unread"
	ReplyRead      = "read"
)

// Reply is a customer's answer to one of our emails, as SendGrid's
// Inbound Parse posted it. Attachments are listed, not kept.
type Reply struct {
	ID          string       `json:"id"`
	Status      string       `json:"status"`
	Sender      string       `json:"sender"`
	To          []string     `json:"to"`
	Subject     string       `json:"subject"`
	Text        string       `json:"text"`
	Attachments []Attachment `json:"attachments"`
	AccountID   string       `json:"account_id,omitempty"`
	// EmailKey is the outbox email the reply answers, when its reply-to
	// token verified; MatchedBy says how the account was found (token,
	// sender).
	EmailKey   string     `json:"email_key,omitempty"`
	MatchedBy  string     `json:"matched_by,omitempty"`
	PauseUntil *time.Time `json:"pause_until,omitempty"`
	ReadBy     string     `json:"read_by,omitempty"`
	ReadAt     *time.Time `json:"read_at,omitempty"`
	ReceivedAt time.Time  `json:"received_at"`
	// MessageID is the Message-ID header the reply's id derives from.
	MessageID string `json:"-"`
}

// Attachment is a file a reply came with: its name and size only.
type Attachment struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

// How a reply found its account.
const (
	MatchedByToken  = "token"
	MatchedBySender = "sender"
)
