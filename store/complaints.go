package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// OpenComplaint records a complaint once (by its id) and puts it on its
// account's timeline: written by the API after the complaint's workflow
// started, and again by that workflow's first activity.
func (s *Store) OpenComplaint(ctx context.Context, c credit.Complaint) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO complaints (id, account_id, subject, department, owner_email, invoice_id, dispute_id, opened_by, created_at)
			VALUES ($1, $2, $3, $4, lower($5), nullif($6, ''), nullif($7, ''), lower($8), $9) ON CONFLICT (id) DO NOTHING`,
			c.ID, c.AccountID, c.Subject, c.Department, c.OwnerEmail, c.InvoiceID, c.DisputeID, c.OpenedBy, c.CreatedAt)
		if err != nil {
			return fmt.Errorf("open complaint %s: %w", c.ID, err)
		}
		if tag.RowsAffected() == 0 {
			return nil
		}
		summary := fmt.Sprintf("Complaint opened by %s (%s, owner %s): %s", c.OpenedBy, c.Department, c.OwnerEmail, c.Subject)
		return addTimeline(ctx, tx, c.AccountID, "complaint/"+c.ID+"/opened", credit.TimelineEntry{
			Kind: "complaint_opened", Ref: c.ID, Actor: c.OpenedBy, Summary: summary})
	})
}

// ResolveComplaint closes an open complaint once. A complaint that is an
// invoice's dispute is closed with its dispute (ResolveDispute), and a
// second call finds it resolved: it changes nothing.
func (s *Store) ResolveComplaint(ctx context.Context, id, resolution, by string, at time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		return resolveComplaints(ctx, tx, `id = $1`, id, resolution, by, at)
	})
}

// resolveComplaints closes the open complaints where matches $1 and puts
// each resolution on its account's timeline.
func resolveComplaints(ctx context.Context, tx pgx.Tx, where, arg, resolution, by string, at time.Time) error {
	rows, err := tx.Query(ctx, `UPDATE complaints SET status = 'resolved', resolution = $2, resolved_by = lower($3), resolved_at = $4
		WHERE `+where+` AND status = 'open' RETURNING id, account_id, subject`, arg, resolution, by, at)
	if err != nil {
		return fmt.Errorf("resolve complaint: %w", err)
	}
	type resolved struct{ id, accountID, subject string }
	done, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (resolved, error) {
		var r resolved
		return r, row.Scan(&r.id, &r.accountID, &r.subject)
	})
	if err != nil {
		return fmt.Errorf("resolve complaint: %w", err)
	}
	for _, r := range done {
		if err := addTimeline(ctx, tx, r.accountID, "complaint/"+r.id+"/resolved", credit.TimelineEntry{
			Kind: "complaint_resolved", Ref: r.id, Actor: by,
			Summary: fmt.Sprintf("Complaint resolved by %s (%s): %s", by, r.subject, resolution)}); err != nil {
			return err
		}
	}
	return nil
}

const complaintColumns = `id, account_id, subject, department, owner_email, coalesce(invoice_id, ''), coalesce(dispute_id, ''),
	status, resolution, opened_by, resolved_by, created_at, resolved_at`

func scanComplaint(row pgx.Row) (credit.Complaint, error) {
	var c credit.Complaint
	err := row.Scan(&c.ID, &c.AccountID, &c.Subject, &c.Department, &c.OwnerEmail, &c.InvoiceID, &c.DisputeID,
		&c.Status, &c.Resolution, &c.OpenedBy, &c.ResolvedBy, &c.CreatedAt, &c.ResolvedAt)
	return c, err
}

// Complaint reads one complaint.
func (s *Store) Complaint(ctx context.Context, id string) (credit.Complaint, error) {
	c, err := scanComplaint(s.Pool.QueryRow(ctx, `SELECT `+complaintColumns+` FROM complaints WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return c, ErrNotFound
	}
	if err != nil {
		return c, fmt.Errorf("read complaint %s: %w", id, err)
	}
	return c, nil
}

// OpenComplaints lists an account's open complaints, oldest first.
func (s *Store) OpenComplaints(ctx context.Context, accountID string) ([]credit.Complaint, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+complaintColumns+` FROM complaints
		WHERE account_id = $1 AND status = 'open' ORDER BY created_at, id`, accountID)
	if err != nil {
		return nil, fmt.Errorf("complaints of %s: %w", accountID, err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Complaint, error) { return scanComplaint(row) })
	if err != nil {
		return nil, fmt.Errorf("complaints of %s: %w", accountID, err)
	}
	return out, nil
}
