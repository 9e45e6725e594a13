package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Outbox statuses.
const (
	EmailPending  = "pending"
	EmailSending  = "sending" // an attempt holds the row's lease and is calling SendGrid
	EmailSent     = "sent"
	EmailLogged   = "logged"   // no SendGrid key: rendered and kept, not sent
	EmailRejected = "rejected" // SendGrid refused the recipient's address for good
)

// OutboxEmail is one row of the outbox, as GET /emails shows it.
type OutboxEmail struct {
	ID         int64             `json:"id"`
	Key        string            `json:"email_key"`
	Kind       string            `json:"kind"`
	To         []string          `json:"to"`
	Subject    string            `json:"subject"`
	Text       string            `json:"body_text"`
	HTML       string            `json:"body_html"`
	CustomArgs map[string]string `json:"custom_args"`
	AccountID  string            `json:"account_id,omitempty"`
	Status     string            `json:"status"`
	Attempts   int               `json:"attempts"`
	LastError  string            `json:"last_error,omitempty"`
	CreatedAt  time.Time         `json:"created_at"`
	SentAt     *time.Time        `json:"sent_at,omitempty"`
	// Delivery is what SendGrid's Event Webhook last said of the email
	// that matters most (delivered, deferred, bounce, dropped, open,
	// click, spamreport, unsubscribe), with SendGrid's reason.
	Delivery       string     `json:"delivery,omitempty"`
	DeliveryDetail string     `json:"delivery_detail,omitempty"`
	DeliveryAt     *time.Time `json:"delivery_at,omitempty"`
}

// ErrEmailInFlight is an attempt finding another attempt's live lease on
// the email: that one may be talking to SendGrid right now, so this one
// sends nothing. It is a plain error: the activity's retry policy tries
// again, and finds the email sent, back to pending, or the lease expired.
var ErrEmailInFlight = errors.New("another attempt is sending this email")

const (
	// SendingLease is how long an attempt owns an email it claimed. It
	// is longer than the call (deliver is cut at DeliverTimeout) plus the
	// time to record the outcome through a Postgres restart or failover
	// (recordOutcome retries until the lease is nearly over); it is also
	// how long an email whose worker was killed during the call waits
	// before another attempt sends it. Measured on Postgres's clock, so
	// workers' clocks do not matter.
	SendingLease = 2 * time.Minute
	// DeliverTimeout bounds one call to SendGrid (the sender's own HTTP
	// timeout is 15 seconds), well inside the lease.
	DeliverTimeout = 20 * time.Second
	// leaseMargin is kept free at the end of the lease: an attempt stops
	// trying to record its outcome before another may take the row over.
	leaseMargin = 10 * time.Second
	// statementTimeout bounds each of the outbox's short statements.
	statementTimeout = 5 * time.Second
)

// resentNote marks an email sent again after an attempt stopped during
// its call: SendGrid may have delivered both. custom_args.email_key lets
// the Event Webhook's events tell.
const resentNote = "sent again after an earlier attempt stopped during its call to SendGrid: possibly delivered twice (see custom_args.email_key)"

// NewEmail is an email about to go out, as the outbox keeps it.
type NewEmail struct {
	Key        string
	Kind       string
	To         []string
	Subject    string
	Text       string
	HTML       string
	CustomArgs map[string]string
	AccountID  string
	// ReplyRef names the email in its reply-to address (email.Ref).
	ReplyRef string
	// InvoiceIDs are the invoices a customer's email of the day lists
	// (one invoice's email names it in CustomArgs["invoice_id"]).
	InvoiceIDs []string
}

// DeliverOnce writes m to the outbox under its key (if it is not there
// yet) and calls deliver unless an earlier attempt already finished, with
// no transaction open during the call:
//
//  1. claim: one statement, committed at once, moves the row from pending
//     (or from an expired lease) to sending, with this attempt's token and
//     a lease until now() + SendingLease;
//  2. deliver (SendGrid), with no connection held: a 09:00 batch of
//     thousands of emails holds no Postgres connection while SendGrid
//     answers, and Postgres dropping meanwhile loses nothing;
//  3. record the outcome in a second short statement: sent (or logged),
//     rejected for good, or back to pending with last_error. It is
//     retried while the lease lasts, so a Postgres restart just after
//     SendGrid accepted the email still ends with the row sent.
//
// What a later attempt (a retry, a replay, a concurrent worker) finds,
// and does:
//
//   - sent, logged or rejected: sends nothing and returns that status;
//   - sending with a live lease: the other attempt may be in its call
//     right now; sends nothing and returns ErrEmailInFlight (retried);
//   - sending with an expired lease: the other attempt died (kill -9,
//     a lost node) between claiming and recording. It may or may not
//     have reached SendGrid, and SendGrid's mail/send has no idempotency
//     key, so there is no knowing: it sends again and notes that in
//     last_error. This is the one window where an email can go out twice
//     (at least once, never lost); custom_args.email_key lets the Event
//     Webhook spot the duplicate afterwards. Holding a transaction across
//     the call did not close it either: there, Postgres dropping during
//     the call, a far commoner event, sent the email again.
//
// Only deliver sees ctx's cancellation. The outbox is written under a
// context of its own, so that a worker stopping (ctx canceled) just after
// SendGrid accepted the email still records it as sent, and its retry
// does not send it again.
//
// deliver returns the row's new status (sent, logged, or rejected for
// good) and the error to record; with any other status and an error the
// row goes back to pending for the next attempt. How an email is
// delivered, and which errors are for good, is the caller's business.
func (s *Store) DeliverOnce(ctx context.Context, m NewEmail, deliver func(context.Context) (string, error)) (string, error) {
	args, err := json.Marshal(m.CustomArgs)
	if err != nil {
		return "", err
	}
	db := context.WithoutCancel(ctx)
	token := rand.Text()
	claimed, resumed, status, err := s.claimEmail(db, m, args, token)
	if err != nil || !claimed {
		return status, err
	}
	leaseEnd := time.Now().Add(SendingLease - leaseMargin)

	call, cancel := context.WithTimeout(ctx, DeliverTimeout)
	status, sendErr := deliver(call)
	cancel()

	if status != EmailSent && status != EmailLogged && status != EmailRejected {
		status = EmailPending
	}
	if sendErr == nil && status == EmailPending {
		sendErr = errors.New("delivery ended without an outcome")
	}
	if sendErr != nil && status != EmailRejected {
		status = EmailPending
	}
	note := ""
	if sendErr != nil {
		note = sendErr.Error()
	} else if resumed {
		note = resentNote
	}
	final, err := s.recordOutcome(db, m.Key, token, status, note, leaseEnd)
	if err != nil {
		return "", fmt.Errorf("outbox %s: record %s: %w", m.Key, status, err)
	}
	if final != status {
		// Another attempt took the row over after our lease ran out and
		// finished first: what it recorded is the email's state.
		return final, nil
	}
	return status, sendErr
}

// claimEmail inserts the email or takes its row over, in one statement
// committed at once. claimed false: another attempt holds it or it is
// finished (status says which, err is ErrEmailInFlight for the former).
// resumed: the row was in an expired lease.
func (s *Store) claimEmail(ctx context.Context, m NewEmail, args []byte, token string) (claimed, resumed bool, status string, err error) {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	var previous string
	err = s.Pool.QueryRow(ctx, `WITH previous AS (SELECT status FROM emails WHERE email_key = $1)
		INSERT INTO emails (email_key, kind, recipients, subject, body_text, body_html, custom_args, account_id,
			status, attempts, attempt_token, sending_until, reply_ref, invoice_ids)
		VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, ''), 'sending', 1, $9, now() + make_interval(secs => $10), NULLIF($11, ''), $12)
		ON CONFLICT (email_key) DO UPDATE SET status = 'sending', attempts = emails.attempts + 1,
			attempt_token = EXCLUDED.attempt_token, sending_until = EXCLUDED.sending_until
		WHERE emails.status = 'pending' OR (emails.status = 'sending' AND emails.sending_until < now())
		RETURNING coalesce((SELECT status FROM previous), '')`,
		m.Key, m.Kind, m.To, m.Subject, m.Text, m.HTML, args, m.AccountID, token, SendingLease.Seconds(), m.ReplyRef, m.InvoiceIDs).Scan(&previous)
	if err == nil {
		return true, previous == EmailSending, EmailSending, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, false, "", fmt.Errorf("outbox %s: claim: %w", m.Key, err)
	}
	if err := s.Pool.QueryRow(ctx, `SELECT status FROM emails WHERE email_key = $1`, m.Key).Scan(&status); err != nil {
		return false, false, "", fmt.Errorf("outbox %s: %w", m.Key, err)
	}
	switch status {
	case EmailSent, EmailLogged, EmailRejected:
		return false, false, status, nil
	default:
		// sending under a live lease, or back to pending since the claim
		// above: either way the next attempt decides.
		return false, false, "", fmt.Errorf("outbox %s: %w", m.Key, ErrEmailInFlight)
	}
}

// recordOutcome writes what the call did, retrying (the statement is
// idempotent) until leaseEnd so that a Postgres restart does not turn an
// accepted email into one sent again. It returns the row's status, which
// differs from status when another attempt took over and finished first.
func (s *Store) recordOutcome(ctx context.Context, key, token, status, note string, leaseEnd time.Time) (string, error) {
	backoff := 100 * time.Millisecond
	for {
		final, err := s.recordOnce(ctx, key, token, status, note)
		if err == nil || time.Now().Add(backoff).After(leaseEnd) {
			return final, err
		}
		time.Sleep(backoff)
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (s *Store) recordOnce(ctx context.Context, key, token, status, note string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, statementTimeout)
	defer cancel()
	var tag pgconn.CommandTag
	var err error
	switch status {
	case EmailSent, EmailLogged:
		// SendGrid took it: that is true whoever holds the row now, so it
		// is recorded unless another attempt finished first.
		tag, err = s.Pool.Exec(ctx, `UPDATE emails SET status = $2, last_error = $3, sent_at = now(),
				attempt_token = NULL, sending_until = NULL
			WHERE email_key = $1 AND status IN ('pending', 'sending')`, key, status, note)
	case EmailRejected:
		tag, err = s.Pool.Exec(ctx, `UPDATE emails SET status = 'rejected', last_error = $3,
				attempt_token = NULL, sending_until = NULL
			WHERE email_key = $1 AND attempt_token = $2`, key, token, note)
	default:
		tag, err = s.Pool.Exec(ctx, `UPDATE emails SET status = 'pending', last_error = $3,
				attempt_token = NULL, sending_until = NULL
			WHERE email_key = $1 AND attempt_token = $2`, key, token, note)
	}
	if err != nil {
		return "", err
	}
	if tag.RowsAffected() == 1 {
		return status, nil
	}
	var current string
	if err := s.Pool.QueryRow(ctx, `SELECT status FROM emails WHERE email_key = $1`, key).Scan(&current); err != nil {
		return "", err
	}
	if current == EmailSending {
		// Another attempt holds the row now; it will record its own
		// outcome. Ours (a failure) is the caller's to retry.
		return status, nil
	}
	return current, nil
}

// EmailFilter narrows the outbox list.
type EmailFilter struct {
	Kind      string
	To        string
	AccountID string
}

// Emails lists the outbox, oldest first, a page at a time.
func (s *Store) Emails(ctx context.Context, f EmailFilter, afterID int64, limit int) ([]OutboxEmail, int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, email_key, kind, recipients, subject, body_text, body_html, custom_args,
			coalesce(account_id, ''), status, attempts, last_error, created_at, sent_at, delivery, delivery_detail, delivery_at
		FROM emails WHERE id > $1 AND ($2 = '' OR kind = $2) AND ($3 = '' OR lower($3) = ANY (recipients))
			AND ($4 = '' OR account_id = $4)
		ORDER BY id LIMIT $5`, afterID, f.Kind, f.To, f.AccountID, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list emails: %w", err)
	}
	defer rows.Close()
	var out []OutboxEmail
	for rows.Next() {
		var e OutboxEmail
		var args []byte
		if err := rows.Scan(&e.ID, &e.Key, &e.Kind, &e.To, &e.Subject, &e.Text, &e.HTML, &args,
			&e.AccountID, &e.Status, &e.Attempts, &e.LastError, &e.CreatedAt, &e.SentAt,
			&e.Delivery, &e.DeliveryDetail, &e.DeliveryAt); err != nil {
			return nil, 0, err
		}
		if err := json.Unmarshal(args, &e.CustomArgs); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) > limit {
		return out[:limit], out[limit-1].ID, nil
	}
	return out, 0, nil
}
