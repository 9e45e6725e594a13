package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/policy"
)

const invoiceColumns = `i.id, i.account_id, i.number, i.currency, i.amount, i.balance, i.issue_date, i.due_date,
	i.status, i.segment, i.day_zero, i.created_at, i.updated_at`

func scanInvoice(row pgx.Row) (credit.Invoice, error) {
	var inv credit.Invoice
	var cur string
	var amount, balance int64
	var issued, due time.Time
	err := row.Scan(&inv.ID, &inv.AccountID, &inv.Number, &cur, &amount, &balance, &issued, &due,
		&inv.Status, &inv.Segment, &inv.DayZero, &inv.CreatedAt, &inv.UpdatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return inv, ErrNotFound
	}
	if err != nil {
		return inv, err
	}
	inv.Amount = money.New(amount, cur)
	inv.Balance = money.New(balance, cur)
	inv.IssueDate = issued.Format(time.DateOnly)
	inv.DueDate = due.Format(time.DateOnly)
	return inv, nil
}

// CreateInvoice stores a new invoice, once: written by the API after its
// workflow started, and again by the workflow's first step in case the
// API died between the two, it may already be there. ErrConflict when the
// account's number belongs to another invoice.
func (s *Store) CreateInvoice(ctx context.Context, inv credit.Invoice) error {
	// One statement, one round trip: every imported invoice's workflow
	// runs it in its first step.
	e := issuedEntry(inv)
	var id string
	err := s.Pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, created_by, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $7, lower($8), $9, $9) ON CONFLICT DO NOTHING RETURNING id, account_id
		), entry AS (
			INSERT INTO timeline (account_id, event_key, kind, summary, actor, ref)
			SELECT account_id, $10, $11, $12, $13, id FROM ins ON CONFLICT (event_key) DO NOTHING
		)
		SELECT coalesce((SELECT id FROM ins), (SELECT id FROM invoices WHERE account_id = $2 AND number = $3), '')`,
		inv.ID, inv.AccountID, inv.Number, inv.Amount.Currency, inv.Amount.Minor, inv.IssueDate, inv.DueDate, inv.CreatedBy,
		createdAt(inv.CreatedAt), "invoice/"+inv.ID+"/issued", e.Kind, e.Summary, e.Actor).Scan(&id)
	if err == nil && id == "" {
		// Written by another transaction while this one waited on it: its
		// row is visible to a new statement only.
		err = s.Pool.QueryRow(ctx, `SELECT id FROM invoices WHERE account_id = $1 AND number = $2`, inv.AccountID, inv.Number).Scan(&id)
	}
	if err != nil {
		return fmt.Errorf("create invoice: %w", err)
	}
	if id != inv.ID {
		return ErrConflict
	}
	return nil
}

func issuedEntry(inv credit.Invoice) credit.TimelineEntry {
	return credit.TimelineEntry{
		Kind: "invoice_issued", Ref: inv.ID, Actor: inv.CreatedBy,
		Summary: fmt.Sprintf("Invoice %s of %s issued on %s, due %s", inv.Number, inv.Amount.Display(), inv.IssueDate, inv.DueDate),
	}
}

// CreateInvoices stores many invoices in one statement, for the ERP
// import, and reports which are stored under their id: an invoice whose
// number the account already has under another id is left alone (a
// duplicate, not an error); one already stored under its id (by its
// workflow's first step) is reported as stored.
func (s *Store) CreateInvoices(ctx context.Context, invs []credit.Invoice) (map[string]bool, error) {
	stored := map[string]bool{}
	if len(invs) == 0 {
		return stored, nil
	}
	n := len(invs)
	ids, accounts, numbers, curs, issued, due, by := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	amounts, created := make([]int64, n), make([]time.Time, n)
	for i, inv := range invs {
		ids[i], accounts[i], numbers[i], curs[i] = inv.ID, inv.AccountID, inv.Number, inv.Amount.Currency
		issued[i], due[i], by[i], amounts[i] = inv.IssueDate, inv.DueDate, inv.CreatedBy, inv.Amount.Minor
		created[i] = createdAt(inv.CreatedAt)
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, created_by, created_at, updated_at)
			SELECT id, account_id, number, currency, amount, amount, issue_date::date, due_date::date, lower(created_by), created_at, created_at
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::timestamptz[])
				AS t (id, account_id, number, currency, amount, issue_date, due_date, created_by, created_at)
			ON CONFLICT DO NOTHING`,
			ids, accounts, numbers, curs, amounts, issued, due, by, created); err != nil {
			return fmt.Errorf("import invoices: %w", err)
		}
		// Stored under its id: by this insert, or first by its workflow.
		rows, err := tx.Query(ctx, `SELECT id FROM invoices WHERE id = ANY($1)`, ids)
		if err != nil {
			return fmt.Errorf("import invoices: %w", err)
		}
		present, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("import invoices: %w", err)
		}
		for _, id := range present {
			stored[id] = true
		}
		var tAccounts, tKeys, tSummaries, tActors, tRefs []string
		for _, inv := range invs {
			if stored[inv.ID] {
				e := issuedEntry(inv)
				tAccounts, tKeys, tSummaries = append(tAccounts, inv.AccountID), append(tKeys, "invoice/"+inv.ID+"/issued"), append(tSummaries, e.Summary)
				tActors, tRefs = append(tActors, e.Actor), append(tRefs, inv.ID)
			}
		}
		_, err = tx.Exec(ctx, `INSERT INTO timeline (account_id, event_key, kind, summary, actor, ref)
			SELECT account_id, event_key, 'invoice_issued', summary, actor, ref
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t (account_id, event_key, summary, actor, ref)
			ON CONFLICT (event_key) DO NOTHING`, tAccounts, tKeys, tSummaries, tActors, tRefs)
		return err
	})
	return stored, err
}

// Invoice reads one invoice with the dunning steps taken so far.
func (s *Store) Invoice(ctx context.Context, id string) (credit.Invoice, error) {
	inv, err := scanInvoice(s.Pool.QueryRow(ctx, `SELECT `+invoiceColumns+` FROM invoices i WHERE i.id = $1`, id))
	if err != nil {
		if !errors.Is(err, ErrNotFound) {
			err = fmt.Errorf("read invoice %s: %w", id, err)
		}
		return inv, err
	}
	// A customer step's email has the step's key, or the key of the
	// account's email of the day it went out in: what SendGrid later
	// reported of it is the step's delivery.
	rows, err := s.Pool.Query(ctx, `SELECT d.day, d.action, d.taken_at, d.reason, d.outcome,
			coalesce(e.delivery, ''), coalesce(e.delivery_detail, '')
		FROM dunning_steps d LEFT JOIN emails e ON e.email_key = coalesce(d.email_key, d.step_key)
		WHERE d.invoice_id = $1 ORDER BY d.taken_at, d.step_key`, id)
	if err != nil {
		return inv, fmt.Errorf("steps of %s: %w", id, err)
	}
	inv.StepsTaken, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.DunningStep, error) {
		var st credit.DunningStep
		var at time.Time
		var detail string
		err := row.Scan(&st.Day, &st.Action, &at, &st.Reason, &st.Outcome, &st.Delivery, &detail)
		st.At = &at
		st.Outcome = deliveryOutcome(st.Outcome, st.Delivery, detail)
		return st, err
	})
	return inv, err
}

// PaymentRecord counts an account's invoices paid since since: in all, on
// time, and later than slowLateDays past their due date. The policy's
// segment rule reads it.
func (s *Store) PaymentRecord(ctx context.Context, accountID string, since time.Time, slowLateDays int) (policy.PaymentRecord, error) {
	var r policy.PaymentRecord
	err := s.Pool.QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE paid_at::date <= due_date),
			count(*) FILTER (WHERE paid_at::date > due_date + $3::int)
		FROM invoices WHERE account_id = $1 AND status = 'paid' AND paid_at >= $2`,
		accountID, since, slowLateDays).Scan(&r.Paid, &r.OnTime, &r.Late)
	if err != nil {
		return r, fmt.Errorf("payment history of %s: %w", accountID, err)
	}
	return r, nil
}

// SetSegment keeps an account's segment as its payment record now gives it.
func (s *Store) SetSegment(ctx context.Context, accountID, segment string) error {
	_, err := s.Pool.Exec(ctx, `UPDATE accounts SET segment = $2, updated_at = now() WHERE id = $1 AND segment <> $2`, accountID, segment)
	if err != nil {
		return fmt.Errorf("segment of %s: %w", accountID, err)
	}
	return nil
}

// RecordPlan keeps what an invoice's follow-up started with: its segment
// (also the account's, now) and the day zero of its policy clock.
func (s *Store) RecordPlan(ctx context.Context, accountID, invoiceID, segment string, dayZero time.Time) error {
	// One statement: every new invoice's workflow runs it.
	_, err := s.Pool.Exec(ctx, `WITH account AS (
			UPDATE accounts SET segment = $2, updated_at = now() WHERE id = $1 AND segment <> $2
		)
		UPDATE invoices SET segment = $2, day_zero = $4 WHERE id = $3`, accountID, segment, invoiceID, dayZero)
	if err != nil {
		return fmt.Errorf("plan of %s: %w", invoiceID, err)
	}
	return nil
}

// RecordStep keeps a dunning step an invoice's workflow took, once, with
// its line on the account's timeline.
func (s *Store) RecordStep(ctx context.Context, key, invoiceID string, st credit.DunningStep) error {
	return s.RecordSteps(ctx, []StepRow{{Key: key, InvoiceID: invoiceID, Step: st}})
}

// StepRow is a dunning step taken, under its key. EmailKey names the
// email a customer step went out in when it is not the step's own (the
// account's email of the day).
type StepRow struct {
	Key       string
	InvoiceID string
	EmailKey  string
	Step      credit.DunningStep
}

// RecordSteps keeps steps taken, each once (by key), with their lines on
// the accounts' timelines, in one transaction: the steps of a customer's
// email of the day are recorded together.
func (s *Store) RecordSteps(ctx context.Context, steps []StepRow) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		for _, r := range steps {
			var accountID, number string
			if err := tx.QueryRow(ctx, `SELECT account_id, number FROM invoices WHERE id = $1`, r.InvoiceID).Scan(&accountID, &number); err != nil {
				return fmt.Errorf("step of %s: %w", r.InvoiceID, err)
			}
			st := r.Step
			if _, err := tx.Exec(ctx, `INSERT INTO dunning_steps (step_key, invoice_id, day, action, reason, outcome, taken_at, email_key)
				VALUES ($1, $2, $3, $4, $5, $6, $7, NULLIF($8, '')) ON CONFLICT (step_key) DO NOTHING`,
				r.Key, r.InvoiceID, st.Day, st.Action, st.Reason, st.Outcome, st.At, r.EmailKey); err != nil {
				return fmt.Errorf("step of %s: %w", r.InvoiceID, err)
			}
			summary := fmt.Sprintf("Invoice %s: %s (day %+d of the due date)", number, humanAction(st.Action), st.Day)
			if st.Outcome != "" {
				summary += ": " + st.Outcome
			}
			entry := credit.TimelineEntry{Kind: "dunning_" + st.Action, Ref: r.InvoiceID, Summary: summary, Actor: "creditflow"}
			if err := addTimeline(ctx, tx, accountID, r.Key, entry); err != nil {
				return err
			}
		}
		return nil
	})
}

func humanAction(action string) string {
	switch action {
	case "courtesy_notice":
		return "courtesy notice before the due date"
	case "reminder":
		return "payment reminder"
	case "second_reminder":
		return "second payment reminder"
	case "escalate":
		return "escalated to the sales rep"
	case "credit_hold":
		return "credit hold step"
	case "final_notice":
		return "final notice"
	}
	return action
}

// OpenInvoices lists an account's unpaid invoices, oldest due first, at
// most limit of them.
func (s *Store) OpenInvoices(ctx context.Context, accountID string, limit int) ([]credit.Invoice, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+invoiceColumns+` FROM invoices i
		WHERE i.account_id = $1 AND i.status IN ('open', 'disputed') ORDER BY i.due_date, i.id LIMIT $2`, accountID, limit)
	if err != nil {
		return nil, fmt.Errorf("open invoices of %s: %w", accountID, err)
	}
	invs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Invoice, error) { return scanInvoice(row) })
	if err != nil {
		return nil, fmt.Errorf("open invoices of %s: %w", accountID, err)
	}
	return invs, nil
}

// InvoiceNumbersTaken reports, by invoice id, which of the invoices' numbers
// their account already has.
func (s *Store) InvoiceNumbersTaken(ctx context.Context, invs []credit.Invoice) (map[string]bool, error) {
	accounts, numbers := make([]string, len(invs)), make([]string, len(invs))
	for i, inv := range invs {
		accounts[i], numbers[i] = inv.AccountID, inv.Number
	}
	rows, err := s.Pool.Query(ctx, `SELECT t.account_id, t.number FROM unnest($1::text[], $2::text[]) AS t (account_id, number)
		WHERE EXISTS (SELECT 1 FROM invoices i WHERE i.account_id = t.account_id AND i.number = t.number)`, accounts, numbers)
	if err != nil {
		return nil, fmt.Errorf("invoice numbers: %w", err)
	}
	taken := map[[2]string]bool{}
	var account, number string
	if _, err := pgx.ForEachRow(rows, []any{&account, &number}, func() error {
		taken[[2]string{account, number}] = true
		return nil
	}); err != nil {
		return nil, fmt.Errorf("invoice numbers: %w", err)
	}
	out := make(map[string]bool, len(taken))
	for _, inv := range invs {
		if taken[[2]string{inv.AccountID, inv.Number}] {
			out[inv.ID] = true
		}
	}
	return out, nil
}

// createdAt is the instant a new row records: the one its creator
// answered with, or now for a caller that did not say.
func createdAt(t time.Time) time.Time {
	if t.IsZero() {
		return time.Now()
	}
	return t
}

// InvoicesOf reads the account's invoices among ids (without their steps),
// oldest due first: a customer's email of the day re-reads what it lists.
func (s *Store) InvoicesOf(ctx context.Context, accountID string, ids []string) ([]credit.Invoice, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+invoiceColumns+` FROM invoices i
		WHERE i.account_id = $1 AND i.id = ANY($2) ORDER BY i.due_date, i.number`, accountID, ids)
	if err != nil {
		return nil, fmt.Errorf("invoices of %s: %w", accountID, err)
	}
	invs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Invoice, error) { return scanInvoice(row) })
	if err != nil {
		return nil, fmt.Errorf("invoices of %s: %w", accountID, err)
	}
	return invs, nil
}
