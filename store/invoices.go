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

// CreateInvoice stores a new invoice; ErrConflict when its number is
// already taken for the account.
func (s *Store) CreateInvoice(ctx context.Context, inv credit.Invoice) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, created_by)
			VALUES ($1, $2, $3, $4, $5, $5, $6, $7, lower($8))`,
			inv.ID, inv.AccountID, inv.Number, inv.Amount.Currency, inv.Amount.Minor, inv.IssueDate, inv.DueDate, inv.CreatedBy)
		if isUniqueViolation(err) {
			return ErrConflict
		}
		if err != nil {
			return fmt.Errorf("create invoice: %w", err)
		}
		return addTimeline(ctx, tx, inv.AccountID, "invoice/"+inv.ID+"/issued", issuedEntry(inv))
	})
}

func issuedEntry(inv credit.Invoice) credit.TimelineEntry {
	return credit.TimelineEntry{
		Kind: "invoice_issued", Ref: inv.ID, Actor: inv.CreatedBy,
		Summary: fmt.Sprintf("Invoice %s of %s issued on %s, due %s", inv.Number, inv.Amount.Display(), inv.IssueDate, inv.DueDate),
	}
}

// CreateInvoices stores many invoices in one statement, for the ERP
// import, and reports which were new: an invoice whose number the account
// already has is left alone (a duplicate, not an error).
func (s *Store) CreateInvoices(ctx context.Context, invs []credit.Invoice) (map[string]bool, error) {
	created := map[string]bool{}
	if len(invs) == 0 {
		return created, nil
	}
	n := len(invs)
	ids, accounts, numbers, curs, issued, due, by := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	amounts := make([]int64, n)
	for i, inv := range invs {
		ids[i], accounts[i], numbers[i], curs[i] = inv.ID, inv.AccountID, inv.Number, inv.Amount.Currency
		issued[i], due[i], by[i], amounts[i] = inv.IssueDate, inv.DueDate, inv.CreatedBy, inv.Amount.Minor
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `INSERT INTO invoices (id, account_id, number, currency, amount, balance, issue_date, due_date, created_by)
			SELECT id, account_id, number, currency, amount, amount, issue_date::date, due_date::date, lower(created_by)
			FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[])
				AS t (id, account_id, number, currency, amount, issue_date, due_date, created_by)
			ON CONFLICT (account_id, number) DO NOTHING RETURNING id`,
			ids, accounts, numbers, curs, amounts, issued, due, by)
		if err != nil {
			return fmt.Errorf("import invoices: %w", err)
		}
		newIDs, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return fmt.Errorf("import invoices: %w", err)
		}
		var tAccounts, tKeys, tSummaries, tActors, tRefs []string
		for _, id := range newIDs {
			created[id] = true
		}
		for _, inv := range invs {
			if created[inv.ID] {
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
	return created, err
}

// AbandonInvoice removes an invoice whose workflow could not be started,
// so that a failed POST leaves nothing half-written.
func (s *Store) AbandonInvoice(ctx context.Context, id string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM timeline WHERE ref = $1`, id); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `DELETE FROM invoices WHERE id = $1 AND balance = amount`, id)
		return err
	})
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
	rows, err := s.Pool.Query(ctx, `SELECT day, action, taken_at, reason, outcome FROM dunning_steps WHERE invoice_id = $1 ORDER BY taken_at, step_key`, id)
	if err != nil {
		return inv, fmt.Errorf("steps of %s: %w", id, err)
	}
	inv.StepsTaken, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.DunningStep, error) {
		var st credit.DunningStep
		var at time.Time
		err := row.Scan(&st.Day, &st.Action, &at, &st.Reason, &st.Outcome)
		st.At = &at
		return st, err
	})
	return inv, err
}

// DaysOverdue is how many calendar days past its due date an unpaid
// invoice is on date today.
func DaysOverdue(inv credit.Invoice, today time.Time) int {
	due, err := time.Parse(time.DateOnly, inv.DueDate)
	if err != nil || (inv.Status != credit.InvoiceOpen && inv.Status != credit.InvoiceDisputed) {
		return 0
	}
	return max(0, int(today.Sub(due).Hours()/24))
}

// PaymentSegment classifies an account by its invoices paid since since,
// as the dunning policy says.
func (s *Store) PaymentSegment(ctx context.Context, accountID string, since time.Time, d policy.Dunning) (string, error) {
	var paid, onTime, late int
	err := s.Pool.QueryRow(ctx, `SELECT count(*),
			count(*) FILTER (WHERE paid_at::date <= due_date),
			count(*) FILTER (WHERE paid_at::date > due_date + $3::int)
		FROM invoices WHERE account_id = $1 AND status = 'paid' AND paid_at >= $2`,
		accountID, since, d.SlowLateDays).Scan(&paid, &onTime, &late)
	if err != nil {
		return "", fmt.Errorf("payment history of %s: %w", accountID, err)
	}
	switch {
	case paid >= d.MinPaidForSegment && onTime*100 >= d.PromptOnTimePercent*paid:
		return policy.SegmentPrompt, nil
	case paid >= d.MinPaidForSegment && late*100 >= d.SlowLatePercent*paid:
		return policy.SegmentSlow, nil
	}
	return policy.SegmentStandard, nil
}

// RecordPlan keeps what an invoice's follow-up started with: its segment
// (also the account's, now) and the day zero of its policy clock.
func (s *Store) RecordPlan(ctx context.Context, accountID, invoiceID, segment string, dayZero time.Time) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET segment = $2, updated_at = now() WHERE id = $1 AND segment <> $2`, accountID, segment); err != nil {
			return fmt.Errorf("segment of %s: %w", accountID, err)
		}
		if _, err := tx.Exec(ctx, `UPDATE invoices SET segment = $2, day_zero = $3 WHERE id = $1`, invoiceID, segment, dayZero); err != nil {
			return fmt.Errorf("plan of %s: %w", invoiceID, err)
		}
		return nil
	})
}

// RecordStep keeps a dunning step the workflow took, once per key.
func (s *Store) RecordStep(ctx context.Context, key, invoiceID string, st credit.DunningStep) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID, number string
		if err := tx.QueryRow(ctx, `SELECT account_id, number FROM invoices WHERE id = $1`, invoiceID).Scan(&accountID, &number); err != nil {
			return fmt.Errorf("step of %s: %w", invoiceID, err)
		}
		if _, err := tx.Exec(ctx, `INSERT INTO dunning_steps (step_key, invoice_id, day, action, reason, outcome, taken_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (step_key) DO NOTHING`,
			key, invoiceID, st.Day, st.Action, st.Reason, st.Outcome, st.At); err != nil {
			return fmt.Errorf("step of %s: %w", invoiceID, err)
		}
		summary := fmt.Sprintf("Invoice %s: %s (day %+d of the due date)", number, humanAction(st.Action), st.Day)
		if st.Outcome != "" {
			summary += ": " + st.Outcome
		}
		return addTimeline(ctx, tx, accountID, key, credit.TimelineEntry{Kind: "dunning_" + st.Action, Ref: invoiceID, Summary: summary, Actor: "creditflow"})
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

// Settlement is what a payment, credit note or write-off did.
type Settlement struct {
	Invoice credit.Invoice `json:"invoice"`
	// Released: this operation lifted the account's last hold.
	Released bool `json:"released"`
}

// RecordPayment applies a payment to an invoice once (by payment id):
// the balance falls, a balance of zero makes it paid, and holds whose
// cause is gone are released.
func (s *Store) RecordPayment(ctx context.Context, invoiceID string, p credit.Payment) (Settlement, error) {
	var out Settlement
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO payments (id, invoice_id, amount, received_at, reference, recorded_by)
			VALUES ($1, $2, $3, $4, $5, lower($6)) ON CONFLICT (id) DO NOTHING`,
			p.ID, invoiceID, p.Amount.Minor, p.ReceivedAt, p.Reference, p.By)
		if err != nil {
			return fmt.Errorf("payment on %s: %w", invoiceID, err)
		}
		if tag.RowsAffected() == 1 {
			inv, err := scanInvoice(tx.QueryRow(ctx, `UPDATE invoices i SET balance = balance - $2,
				status = CASE WHEN balance - $2 = 0 THEN 'paid' ELSE status END,
				paid_at = CASE WHEN balance - $2 = 0 THEN $3 ELSE paid_at END, updated_at = now()
				WHERE id = $1 RETURNING `+invoiceColumns, invoiceID, p.Amount.Minor, p.ReceivedAt))
			if err != nil {
				return fmt.Errorf("payment on %s: %w", invoiceID, err)
			}
			summary := fmt.Sprintf("Payment of %s received on invoice %s; balance %s", p.Amount.Display(), inv.Number, inv.Balance.Display())
			if err := addTimeline(ctx, tx, inv.AccountID, "payment/"+p.ID, credit.TimelineEntry{
				Kind: "payment_received", Ref: invoiceID, Actor: p.By, Summary: summary}); err != nil {
				return err
			}
		}
		out, err = settle(ctx, tx, invoiceID, "payment/"+p.ID)
		return err
	})
	return out, err
}

// settle releases the holds whose cause is gone and says whether the
// account's last hold was lifted by key.
func settle(ctx context.Context, tx pgx.Tx, invoiceID, key string) (Settlement, error) {
	inv, err := scanInvoice(tx.QueryRow(ctx, `SELECT `+invoiceColumns+` FROM invoices i WHERE i.id = $1`, invoiceID))
	if err != nil {
		return Settlement{}, fmt.Errorf("read invoice %s: %w", invoiceID, err)
	}
	released, err := releaseCleared(ctx, tx, inv.AccountID, key)
	return Settlement{Invoice: inv, Released: released}, err
}

// releaseCleared lifts the account's holds whose cause is gone: an
// invoice no longer owed, or exposure back within the limit. When none is
// left, the account is active again.
func releaseCleared(ctx context.Context, tx pgx.Tx, accountID, key string) (bool, error) {
	// Serialise hold changes of one account.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR UPDATE`, accountID); err != nil {
		return false, err
	}
	a, err := accountByID(ctx, tx, accountID)
	if err != nil {
		return false, err
	}
	if _, err := tx.Exec(ctx, `UPDATE holds h SET released_at = now(), released_by = $2
		WHERE h.account_id = $1 AND h.released_at IS NULL AND (
			(h.cause = 'invoice' AND EXISTS (SELECT 1 FROM invoices i WHERE i.id = h.invoice_id AND i.status IN ('paid', 'written_off')))
			OR (h.cause = 'exposure' AND $3::bigint <= $4::bigint))`,
		accountID, key, a.Exposure.Minor, a.CreditLimit.Minor); err != nil {
		return false, fmt.Errorf("release holds of %s: %w", accountID, err)
	}
	var active, releasedByKey bool
	if err := tx.QueryRow(ctx, `SELECT
			NOT EXISTS (SELECT 1 FROM holds WHERE account_id = $1 AND released_at IS NULL),
			EXISTS (SELECT 1 FROM holds WHERE account_id = $1 AND released_by = $2)`, accountID, key).Scan(&active, &releasedByKey); err != nil {
		return false, err
	}
	if !active || !releasedByKey {
		return false, nil
	}
	if a.Status == credit.AccountOnHold {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET status = 'active', updated_at = now() WHERE id = $1`, accountID); err != nil {
			return false, err
		}
	}
	return true, addTimeline(ctx, tx, accountID, key+"/hold-released", credit.TimelineEntry{
		Kind: "hold_released", Actor: "creditflow", Summary: "Credit hold released: its cause is gone", Ref: accountID})
}

// PlaceHold puts the account on hold for a cause ("invoice" or
// "exposure"), once per key. It reports whether this hold moved the
// account to on_hold, so that the rep is told once.
func (s *Store) PlaceHold(ctx context.Context, key, accountID, invoiceID, cause, summary string) (bool, error) {
	var putOnHold bool
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var status string
		if err := tx.QueryRow(ctx, `SELECT status FROM accounts WHERE id = $1 FOR UPDATE`, accountID).Scan(&status); err != nil {
			return fmt.Errorf("hold %s: %w", accountID, err)
		}
		err := tx.QueryRow(ctx, `SELECT put_on_hold FROM holds WHERE hold_key = $1`, key).Scan(&putOnHold)
		if err == nil {
			return nil // placed by an earlier attempt
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return err
		}
		putOnHold = status == credit.AccountActive || status == credit.AccountProspect
		if _, err := tx.Exec(ctx, `INSERT INTO holds (hold_key, account_id, invoice_id, cause, put_on_hold) VALUES ($1, $2, NULLIF($3, ''), $4, $5)`,
			key, accountID, invoiceID, cause, putOnHold); err != nil {
			return fmt.Errorf("hold %s: %w", accountID, err)
		}
		if putOnHold {
			if _, err := tx.Exec(ctx, `UPDATE accounts SET status = 'on_hold', updated_at = now() WHERE id = $1`, accountID); err != nil {
				return err
			}
		}
		return addTimeline(ctx, tx, accountID, key, credit.TimelineEntry{Kind: "credit_hold", Actor: "creditflow", Summary: summary, Ref: invoiceID})
	})
	return putOnHold, err
}

// OpenDispute records a dispute (once per id) and marks the invoice disputed.
func (s *Store) OpenDispute(ctx context.Context, d credit.Dispute, openedBy string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO disputes (id, invoice_id, reason, department, owner_email, opened_by, created_at)
			VALUES ($1, $2, $3, $4, lower($5), lower($6), $7) ON CONFLICT (id) DO NOTHING`,
			d.ID, d.InvoiceID, d.Reason, d.Department, d.OwnerEmail, openedBy, d.CreatedAt)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var accountID, number string
		if err := tx.QueryRow(ctx, `UPDATE invoices SET status = 'disputed', updated_at = now() WHERE id = $1 RETURNING account_id, number`,
			d.InvoiceID).Scan(&accountID, &number); err != nil {
			return fmt.Errorf("dispute %s: %w", d.InvoiceID, err)
		}
		return addTimeline(ctx, tx, accountID, "dispute/"+d.ID+"/opened", credit.TimelineEntry{
			Kind: "dispute_opened", Ref: d.InvoiceID, Actor: openedBy,
			Summary: fmt.Sprintf("Invoice %s disputed (%s, owner %s): %s", number, d.Department, d.OwnerEmail, d.Reason)})
	})
}

// ResolveDispute closes a dispute once; a credit note lowers the balance.
func (s *Store) ResolveDispute(ctx context.Context, r credit.DisputeResolution, at time.Time) (Settlement, error) {
	var out Settlement
	var note *int64
	if r.CreditNote != nil {
		note = &r.CreditNote.Minor
	}
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var invoiceID string
		err := tx.QueryRow(ctx, `UPDATE disputes SET status = 'resolved', resolution = $2, credit_note = $3, resolved_at = $4
			WHERE id = $1 AND status = 'open' RETURNING invoice_id`, r.DisputeID, r.Resolution, note, at).Scan(&invoiceID)
		if errors.Is(err, pgx.ErrNoRows) {
			// Resolved by an earlier attempt.
			if err := tx.QueryRow(ctx, `SELECT invoice_id FROM disputes WHERE id = $1`, r.DisputeID).Scan(&invoiceID); err != nil {
				return fmt.Errorf("dispute %s: %w", r.DisputeID, err)
			}
			out, err = settle(ctx, tx, invoiceID, "dispute/"+r.DisputeID)
			return err
		}
		if err != nil {
			return fmt.Errorf("resolve dispute %s: %w", r.DisputeID, err)
		}
		var credited int64
		if note != nil {
			credited = *note
		}
		inv, err := scanInvoice(tx.QueryRow(ctx, `UPDATE invoices i SET balance = balance - $2,
			status = CASE WHEN balance - $2 = 0 THEN 'paid' ELSE 'open' END,
			paid_at = CASE WHEN balance - $2 = 0 THEN $3 ELSE paid_at END, updated_at = now()
			WHERE id = $1 RETURNING `+invoiceColumns, invoiceID, credited, at))
		if err != nil {
			return fmt.Errorf("resolve dispute %s: %w", r.DisputeID, err)
		}
		summary := fmt.Sprintf("Dispute on invoice %s resolved: %s", inv.Number, r.Resolution)
		if r.CreditNote != nil {
			summary += fmt.Sprintf("; credit note of %s, balance %s", r.CreditNote.Display(), inv.Balance.Display())
		}
		if err := addTimeline(ctx, tx, inv.AccountID, "dispute/"+r.DisputeID+"/resolved", credit.TimelineEntry{
			Kind: "dispute_resolved", Ref: invoiceID, Actor: r.By, Summary: summary}); err != nil {
			return err
		}
		out, err = settle(ctx, tx, invoiceID, "dispute/"+r.DisputeID)
		return err
	})
	return out, err
}

// Dispute reads one dispute.
func (s *Store) Dispute(ctx context.Context, id string) (credit.Dispute, error) {
	var d credit.Dispute
	var note *int64
	var cur string
	err := s.Pool.QueryRow(ctx, `SELECT d.id, d.invoice_id, d.reason, d.department, d.owner_email, d.status, d.resolution,
			d.credit_note, i.currency, d.created_at, d.resolved_at
		FROM disputes d JOIN invoices i ON i.id = d.invoice_id WHERE d.id = $1`, id).
		Scan(&d.ID, &d.InvoiceID, &d.Reason, &d.Department, &d.OwnerEmail, &d.Status, &d.Resolution, &note, &cur, &d.CreatedAt, &d.ResolvedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return d, ErrNotFound
	}
	if err != nil {
		return d, fmt.Errorf("read dispute %s: %w", id, err)
	}
	if note != nil {
		m := money.New(*note, cur)
		d.CreditNote = &m
	}
	return d, nil
}

// RecordPromise keeps a promise to pay (once per key) on the timeline.
func (s *Store) RecordPromise(ctx context.Context, key, invoiceID string, p credit.PromiseToPay) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO promises (promise_key, invoice_id, promised_date, amount, made_by)
			VALUES ($1, $2, $3, $4, lower($5)) ON CONFLICT (promise_key) DO NOTHING`, key, invoiceID, p.PromisedDate, p.Amount.Minor, p.By)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		var accountID, number string
		if err := tx.QueryRow(ctx, `SELECT account_id, number FROM invoices WHERE id = $1`, invoiceID).Scan(&accountID, &number); err != nil {
			return err
		}
		return addTimeline(ctx, tx, accountID, key, credit.TimelineEntry{Kind: "promise_to_pay", Ref: invoiceID, Actor: p.By,
			Summary: fmt.Sprintf("Promise to pay %s on invoice %s by %s", p.Amount.Display(), number, p.PromisedDate)})
	})
}

// SettlePromise marks a promise kept or broken.
func (s *Store) SettlePromise(ctx context.Context, key, status string) error {
	return pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID, invoiceID, number string
		err := tx.QueryRow(ctx, `UPDATE promises p SET status = $2 FROM invoices i
			WHERE p.promise_key = $1 AND i.id = p.invoice_id RETURNING i.account_id, i.id, i.number`, key, status).Scan(&accountID, &invoiceID, &number)
		if err != nil {
			return fmt.Errorf("settle promise %s: %w", key, err)
		}
		return addTimeline(ctx, tx, accountID, key+"/"+status, credit.TimelineEntry{Kind: "promise_" + status, Ref: invoiceID,
			Actor: "creditflow", Summary: fmt.Sprintf("Promise to pay on invoice %s %s", number, status)})
	})
}

// WriteOffInvoice ends an invoice as uncollectable, once.
func (s *Store) WriteOffInvoice(ctx context.Context, invoiceID string, w credit.WriteOff) (Settlement, error) {
	var out Settlement
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		var accountID, number string
		var balance int64
		var cur string
		err := tx.QueryRow(ctx, `UPDATE invoices SET status = 'written_off', updated_at = now()
			WHERE id = $1 AND status IN ('open', 'disputed') RETURNING account_id, number, balance, currency`, invoiceID).
			Scan(&accountID, &number, &balance, &cur)
		if err == nil {
			summary := fmt.Sprintf("Invoice %s written off (%s)%s", number, money.New(balance, cur).Display(), reasonSuffix(w.Reason))
			if err := addTimeline(ctx, tx, accountID, "invoice/"+invoiceID+"/written-off", credit.TimelineEntry{
				Kind: "invoice_written_off", Ref: invoiceID, Actor: w.By.Email, Summary: summary}); err != nil {
				return err
			}
		} else if !errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("write off %s: %w", invoiceID, err)
		}
		out, err = settle(ctx, tx, invoiceID, "invoice/"+invoiceID+"/written-off")
		return err
	})
	return out, err
}

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

// Escalation reads one escalation.
func (s *Store) Escalation(ctx context.Context, id string) (credit.Escalation, error) {
	var e credit.Escalation
	var invoiceID *string
	var pause *time.Time
	err := s.Pool.QueryRow(ctx, `SELECT id, account_id, invoice_id, sales_rep, status, note, pause_until, created_at, acknowledged_at
		FROM escalations WHERE id = $1`, id).Scan(&e.ID, &e.AccountID, &invoiceID, &e.SalesRep, &e.Status, &e.Note, &pause, &e.CreatedAt, &e.AcknowledgedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return e, ErrNotFound
	}
	if err != nil {
		return e, fmt.Errorf("read escalation %s: %w", id, err)
	}
	if invoiceID != nil {
		e.InvoiceID = *invoiceID
	}
	if pause != nil {
		e.PauseUntil = pause.Format(time.DateOnly)
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

// AddNote writes a note on the account's timeline.
func (s *Store) AddNote(ctx context.Context, n credit.Note) (credit.Note, error) {
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO notes (id, account_id, body, department, author)
			VALUES ($1, $2, $3, $4, lower($5)) RETURNING created_at`, n.ID, n.AccountID, n.Body, n.Department, n.Author).Scan(&n.CreatedAt); err != nil {
			return fmt.Errorf("note on %s: %w", n.AccountID, err)
		}
		return addTimeline(ctx, tx, n.AccountID, "note/"+n.ID, credit.TimelineEntry{Kind: "note", Ref: n.ID, Actor: n.Author,
			Summary: "Note (" + n.Department + "): " + n.Body})
	})
	return n, err
}

// Picture is an account as the sales rep needs to see it when asked for
// help: what is owed, how late, what the customer was already told, what
// colleagues wrote.
type Picture struct {
	OpenInvoices  []credit.Invoice
	RemindersSent int
	Notes         []credit.Note
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

// AccountsByID reads the accounts among ids that exist, for validating an
// import against each invoice's account once.
func (s *Store) AccountsByID(ctx context.Context, ids []string) (map[string]credit.Account, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.id = ANY($1)`, ids)
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Account, error) { return scanAccount(row) })
	if err != nil {
		return nil, fmt.Errorf("read accounts: %w", err)
	}
	out := make(map[string]credit.Account, len(list))
	for _, a := range list {
		out[a.ID] = a
	}
	return out, nil
}
