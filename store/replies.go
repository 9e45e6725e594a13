package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

const replyColumns = `id, seq, status, sender, recipients, subject, body_text, attachments, coalesce(account_id, ''),
	coalesce(email_key, ''), matched_by, pause_until, coalesce(read_by, ''), read_at, received_at, message_id`

func scanReply(row pgx.Row) (credit.Reply, int64, error) {
	var r credit.Reply
	var seq int64
	var attachments []byte
	err := row.Scan(&r.ID, &seq, &r.Status, &r.Sender, &r.To, &r.Subject, &r.Text, &attachments, &r.AccountID,
		&r.EmailKey, &r.MatchedBy, &r.PauseUntil, &r.ReadBy, &r.ReadAt, &r.ReceivedAt, &r.MessageID)
	if errors.Is(err, pgx.ErrNoRows) {
		return r, 0, ErrNotFound
	}
	if err != nil {
		return r, 0, err
	}
	err = json.Unmarshal(attachments, &r.Attachments)
	return r, seq, err
}

// AddReply keeps a reply as it arrived, once per id: SendGrid posts a
// message again when our answer did not reach it. It reports whether the
// reply is new.
func (s *Store) AddReply(ctx context.Context, r credit.Reply) (bool, error) {
	if r.Attachments == nil {
		r.Attachments = []credit.Attachment{}
	}
	attachments, err := json.Marshal(r.Attachments)
	if err != nil {
		return false, err
	}
	tag, err := s.Pool.Exec(ctx, `INSERT INTO replies (id, message_id, sender, recipients, subject, body_text, attachments)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING`,
		r.ID, r.MessageID, r.Sender, r.To, r.Subject, r.Text, attachments)
	if err != nil {
		return false, fmt.Errorf("add reply %s: %w", r.ID, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Reply reads one reply.
func (s *Store) Reply(ctx context.Context, id string) (credit.Reply, error) {
	r, _, err := scanReply(s.Pool.QueryRow(ctx, `SELECT `+replyColumns+` FROM replies WHERE id = $1`, id))
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("read reply %s: %w", id, err)
	}
	return r, err
}

// ReplyFilter narrows the list of replies.
type ReplyFilter struct {
	Status    string
	AccountID string
}

// Replies lists replies in the order they arrived, a page at a time.
func (s *Store) Replies(ctx context.Context, f ReplyFilter, afterSeq int64, limit int) ([]credit.Reply, int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+replyColumns+` FROM replies
		WHERE seq > $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR account_id = $3) ORDER BY seq LIMIT $4`,
		afterSeq, f.Status, f.AccountID, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("list replies: %w", err)
	}
	defer rows.Close()
	var out []credit.Reply
	var seqs []int64
	for rows.Next() {
		r, seq, err := scanReply(rows)
		if err != nil {
			return nil, 0, fmt.Errorf("list replies: %w", err)
		}
		out, seqs = append(out, r), append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("list replies: %w", err)
	}
	if len(out) > limit {
		return out[:limit], seqs[limit-1], nil
	}
	return out, 0, nil
}

// RepliedEmail is the outbox email a reply-to token names.
type RepliedEmail struct {
	Key       string
	AccountID string
}

// EmailByReplyRef finds the email whose reply-to address carries ref.
func (s *Store) EmailByReplyRef(ctx context.Context, ref string) (RepliedEmail, error) {
	var e RepliedEmail
	err := s.Pool.QueryRow(ctx, `SELECT email_key, coalesce(account_id, '') FROM emails WHERE reply_ref = $1`, ref).Scan(&e.Key, &e.AccountID)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("email of reply ref %s: %w", ref, err)
	}
	return e, nil
}

// AccountsOfBillingEmail lists the accounts (not closed) whose billing
// contact is address, case aside.
func (s *Store) AccountsOfBillingEmail(ctx context.Context, address string) ([]string, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id FROM accounts WHERE lower(billing_email) = lower($1) AND status <> 'closed' ORDER BY id LIMIT 2`, address)
	if err != nil {
		return nil, fmt.Errorf("accounts of %s: %w", address, err)
	}
	return pgx.CollectRows(rows, pgx.RowTo[string])
}

// MatchReply records which account a reply belongs to (none: unmatched,
// kept for an admin) and puts it on that account's timeline, once.
func (s *Store) MatchReply(ctx context.Context, id, accountID, emailKey, matchedBy string, entry credit.TimelineEntry) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		status := credit.ReplyUnread
		if accountID == "" {
			status = credit.ReplyUnmatched
		}
		if _, err := tx.Exec(ctx, `UPDATE replies SET status = $2, account_id = NULLIF($3, ''), email_key = NULLIF($4, ''), matched_by = $5
			WHERE id = $1 AND status = 'received'`, id, status, accountID, emailKey, matchedBy); err != nil {
			return fmt.Errorf("match reply %s: %w", id, err)
		}
		if accountID == "" {
			return nil
		}
		return addTimeline(ctx, tx, accountID, "reply/"+id, entry)
	})
}

// SetReplyPause records until when the reply pauses its customer's reminders.
func (s *Store) SetReplyPause(ctx context.Context, id string, until time.Time) error {
	if _, err := s.Pool.Exec(ctx, `UPDATE replies SET pause_until = $2 WHERE id = $1 AND read_at IS NULL`, id, until); err != nil {
		return fmt.Errorf("pause of reply %s: %w", id, err)
	}
	return nil
}

// MarkReplyRead records that someone in credit read the reply, once (the
// first reader stays); a pause still running ends at that moment. The
// account's timeline says who read it.
func (s *Store) MarkReplyRead(ctx context.Context, id, by string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var account, reader string
		err := tx.QueryRow(ctx, `UPDATE replies SET status = 'read',
				read_by = coalesce(read_by, $2), read_at = coalesce(read_at, $3),
				pause_until = CASE WHEN pause_until > $3 AND read_at IS NULL THEN $3 ELSE pause_until END
			WHERE id = $1 RETURNING coalesce(account_id, ''), read_by`, id, by, at).Scan(&account, &reader)
		if errors.Is(err, pgx.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("read reply %s: %w", id, err)
		}
		if account == "" {
			return nil
		}
		return addTimeline(ctx, tx, account, "reply/"+id+"/read", credit.TimelineEntry{
			Kind: "customer_reply_read", Ref: id, Actor: reader,
			Summary: "The customer's reply was read by " + reader,
		})
	})
}
