package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// CreateEscalation records an escalation to the account's sales rep,
// once per id, and returns it with the rep it was addressed to.
func (s *Store) CreateEscalation(ctx context.Context, e credit.Escalation, reason string) (credit.Escalation, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var rep string
		err := tx.QueryRow(ctx, `INSERT INTO escalations (id, account_id, invoice_id, sales_rep, reason, created_at)
			SELECT $1, a.id, NULLIF($3, ''), a.sales_rep, $4, $5 FROM accounts a WHERE a.id = $2
			ON CONFLICT (id) DO NOTHING RETURNING sales_rep`,
			e.ID, e.AccountID, e.InvoiceID, reason, e.CreatedAt).Scan(&rep)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil // recorded by an earlier attempt
		}
		if err != nil {
			return fmt.Errorf("escalation %s: %w", e.ID, err)
		}
		return addTimeline(ctx, tx, e.AccountID, "escalation/"+e.ID+"/opened", credit.TimelineEntry{Kind: "escalated_to_sales",
			Ref: e.ID, Actor: "creditflow", Summary: "Escalated to the sales rep " + rep + ": " + reason})
	})
	if err != nil {
		return e, err
	}
	return s.Escalation(ctx, e.ID)
}

const escalationColumns = `e.id, e.account_id, e.invoice_id, e.sales_rep, e.status, e.note, e.pause_until, e.created_at, e.acknowledged_at`

func scanEscalation(row pgx.Row) (credit.Escalation, error) {
	var e credit.Escalation
	var invoiceID *string
	var pause *time.Time
	if err := row.Scan(&e.ID, &e.AccountID, &invoiceID, &e.SalesRep, &e.Status, &e.Note, &pause, &e.CreatedAt, &e.AcknowledgedAt); err != nil {
		return e, err
	}
	if invoiceID != nil {
		e.InvoiceID = *invoiceID
	}
	if pause != nil {
		e.PauseUntil = pause.Format(time.DateOnly)
	}
	return e, nil
}

// Escalation reads one escalation.
func (s *Store) Escalation(ctx context.Context, id string) (credit.Escalation, error) {
	e, err := scanEscalation(s.Pool.QueryRow(ctx, `SELECT `+escalationColumns+` FROM escalations e WHERE e.id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("read escalation %s: %w", id, err)
	}
	return e, nil
}

// EscalationOverdue marks an escalation nobody acknowledged in time.
func (s *Store) EscalationOverdue(ctx context.Context, id string) error {
	return s.moveEscalation(ctx, id, credit.EscalationOverdue, []string{credit.EscalationOpen},
		"escalation_overdue", "Escalation not acknowledged in time by ")
}

// CloseEscalation closes an escalation whose invoice was settled before
// the rep acknowledged it: nothing is asked of them any more.
func (s *Store) CloseEscalation(ctx context.Context, id string) error {
	return s.moveEscalation(ctx, id, credit.EscalationClosed, []string{credit.EscalationOpen, credit.EscalationOverdue},
		"escalation_closed", "Escalation closed: the invoice was settled before an acknowledgement from ")
}

// moveEscalation moves an escalation from one of the statuses from to
// status, once, with a timeline entry naming the rep.
func (s *Store) moveEscalation(ctx context.Context, id, status string, from []string, kind, summary string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID, rep string
		err := tx.QueryRow(ctx, `UPDATE escalations SET status = $2 WHERE id = $1 AND status = ANY($3) RETURNING account_id, sales_rep`,
			id, status, from).Scan(&accountID, &rep)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("escalation %s %s: %w", id, status, err)
		}
		return addTimeline(ctx, tx, accountID, "escalation/"+id+"/"+status, credit.TimelineEntry{Kind: kind,
			Ref: id, Actor: "creditflow", Summary: summary + rep})
	})
}

// AcknowledgeEscalation records the rep's acknowledgement and their note.
func (s *Store) AcknowledgeEscalation(ctx context.Context, id string, ack credit.Acknowledgement, at time.Time) (credit.Escalation, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID string
		err := tx.QueryRow(ctx, `UPDATE escalations SET status = 'acknowledged', note = $2, pause_until = NULLIF($3, '')::date, acknowledged_at = $4
			WHERE id = $1 AND status <> 'acknowledged' RETURNING account_id`, id, ack.Note, ack.PauseUntil, at).Scan(&accountID)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("acknowledge %s: %w", id, err)
		}
		summary := "Escalation acknowledged: " + ack.Note
		if ack.PauseUntil != "" {
			summary += "; customer reminders paused until " + ack.PauseUntil
		}
		if _, err := tx.Exec(ctx, `INSERT INTO notes (id, account_id, body, department, author, created_at)
			VALUES ($1, $2, $3, 'sales', lower($4), $5) ON CONFLICT (id) DO NOTHING`, "note_"+id, accountID, ack.Note, ack.By.Email, at); err != nil {
			return err
		}
		return addTimeline(ctx, tx, accountID, "escalation/"+id+"/acknowledged", credit.TimelineEntry{Kind: "escalation_acknowledged",
			Ref: id, Actor: ack.By.Email, Summary: summary})
	})
	if err != nil {
		return credit.Escalation{}, err
	}
	return s.Escalation(ctx, id)
}

// Picture is an account as the sales rep needs to see it when asked for
// help: what is owed, how late, what the customer was already told, what
// colleagues wrote.
type Picture struct {
	OpenInvoices  []credit.Invoice
	RemindersSent int
	Notes         []credit.Note
}

// AccountPicture reads the account's picture for an escalation email.
func (s *Store) AccountPicture(ctx context.Context, accountID string) (Picture, error) {
	var p Picture
	open, err := s.OpenInvoices(ctx, accountID, 20)
	if err != nil {
		return p, err
	}
	p.OpenInvoices = open
	if err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM emails WHERE account_id = $1
		AND kind IN ('courtesy_notice', 'invoice_reminder', 'final_notice') AND status IN ('sent', 'logged')`, accountID).Scan(&p.RemindersSent); err != nil {
		return p, fmt.Errorf("picture of %s: %w", accountID, err)
	}
	rows, err := s.Pool.Query(ctx, `SELECT id, account_id, body, department, author, created_at FROM notes
		WHERE account_id = $1 ORDER BY created_at DESC, id LIMIT 5`, accountID)
	if err != nil {
		return p, fmt.Errorf("notes of %s: %w", accountID, err)
	}
	p.Notes, err = pgx.CollectRows(rows, pgx.RowToStructByPos[credit.Note])
	return p, err
}
