package store

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Outbox statuses.
const (
	EmailPending  = "pending"
	EmailSent     = "sent"
	EmailLogged   = "logged"   // no SendGrid key: rendered and kept, not sent
	EmailRejected = "rejected" // SendGrid refused it for good
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
}

// outboxTimeout bounds the outbox's transaction, the SendGrid call
// included (the sender's own timeout is 15 seconds).
const outboxTimeout = time.Minute

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
}

// DeliverOnce writes m to the outbox under its key (if it is not there
// yet) and, holding the row's lock, calls deliver unless an earlier attempt
// already finished. A retried or concurrent attempt therefore waits for
// the first and then finds the email sent: an email goes out at most once
// per key, except if the process dies between SendGrid's answer and the
// commit below, a window of one round trip to Postgres.
//
// Only deliver sees ctx's cancellation. The outbox is written under a
// context of its own, so that a worker stopping (ctx canceled) just after
// SendGrid accepted the email still records it as sent, and its retry
// does not send it again.
//
// deliver returns the row's new status (sent, logged, or rejected for
// good) and the error to record; with pending and an error the row stays
// pending for the next attempt. How an email is delivered, and which
// errors are for good, is the caller's business.
func (s *Store) DeliverOnce(ctx context.Context, m NewEmail, deliver func(context.Context) (string, error)) (string, error) {
	args, err := json.Marshal(m.CustomArgs)
	if err != nil {
		return "", err
	}
	db, cancel := context.WithTimeout(context.WithoutCancel(ctx), outboxTimeout)
	defer cancel()
	var status string
	var sendErr error
	err = pgx.BeginFunc(db, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(db, `INSERT INTO emails (email_key, kind, recipients, subject, body_text, body_html, custom_args, account_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')) ON CONFLICT (email_key) DO NOTHING`,
			m.Key, m.Kind, m.To, m.Subject, m.Text, m.HTML, args, m.AccountID); err != nil {
			return fmt.Errorf("outbox %s: %w", m.Key, err)
		}
		if err := tx.QueryRow(db, `SELECT status FROM emails WHERE email_key = $1 FOR UPDATE`, m.Key).Scan(&status); err != nil {
			return fmt.Errorf("outbox %s: %w", m.Key, err)
		}
		if status != EmailPending {
			return nil
		}
		status, sendErr = deliver(ctx)
		switch {
		case sendErr != nil && status == EmailRejected:
			_, err = tx.Exec(db, `UPDATE emails SET status = 'rejected', attempts = attempts + 1, last_error = $2 WHERE email_key = $1`,
				m.Key, sendErr.Error())
		case sendErr != nil:
			status = EmailPending
			_, err = tx.Exec(db, `UPDATE emails SET attempts = attempts + 1, last_error = $2 WHERE email_key = $1`, m.Key, sendErr.Error())
		default:
			_, err = tx.Exec(db, `UPDATE emails SET status = $2, attempts = attempts + 1, last_error = '', sent_at = now() WHERE email_key = $1`,
				m.Key, status)
		}
		return err
	})
	if err != nil {
		return "", err
	}
	return status, sendErr
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
			coalesce(account_id, ''), status, attempts, last_error, created_at, sent_at
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
			&e.AccountID, &e.Status, &e.Attempts, &e.LastError, &e.CreatedAt, &e.SentAt); err != nil {
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
