package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
)

// Settlement is what a payment, credit note or write-off did.
type Settlement struct {
	Invoice credit.Invoice `json:"invoice"`
	// Released: this operation lifted the account's last hold.
	Released bool `json:"released"`
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
	// Serialise hold changes of one account. NO KEY UPDATE, as the
	// exposure trigger takes: a FOR UPDATE would wait on an import still
	// inserting this account's invoices (their key share) while the import
	// waited on this lock to add their exposure: a deadlock.
	if _, err := tx.Exec(ctx, `SELECT 1 FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID); err != nil {
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
		var err error
		putOnHold, err = placeHold(ctx, tx, key, accountID, invoiceID, cause, summary, "creditflow")
		return err
	})
	return putOnHold, err
}

// placeHold is PlaceHold within a transaction of the caller's, by actor
// (a person's email, or "creditflow").
func placeHold(ctx context.Context, tx pgx.Tx, key, accountID, invoiceID, cause, summary, actor string) (bool, error) {
	var status string
	if err := tx.QueryRow(ctx, `SELECT status FROM accounts WHERE id = $1 FOR NO KEY UPDATE`, accountID).Scan(&status); err != nil {
		return false, fmt.Errorf("hold %s: %w", accountID, err)
	}
	var putOnHold bool
	err := tx.QueryRow(ctx, `SELECT put_on_hold FROM holds WHERE hold_key = $1`, key).Scan(&putOnHold)
	if err == nil {
		return putOnHold, nil // placed by an earlier attempt
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return false, err
	}
	putOnHold = status == credit.AccountActive || status == credit.AccountProspect
	if _, err := tx.Exec(ctx, `INSERT INTO holds (hold_key, account_id, invoice_id, cause, put_on_hold, placed_by) VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6)`,
		key, accountID, invoiceID, cause, putOnHold, actor); err != nil {
		return false, fmt.Errorf("hold %s: %w", accountID, err)
	}
	if putOnHold {
		if _, err := tx.Exec(ctx, `UPDATE accounts SET status = 'on_hold', updated_at = now() WHERE id = $1`, accountID); err != nil {
			return false, err
		}
	}
	return putOnHold, addTimeline(ctx, tx, accountID, key, credit.TimelineEntry{Kind: "credit_hold", Actor: actor, Summary: summary, Ref: invoiceID})
}
