package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
)

// querier is a pool or a transaction.
type querier interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

const accountColumns = `a.id, a.name, a.registration_number, a.country, a.billing_email, a.status,
	a.currency, a.credit_limit, a.segment, a.sales_rep, a.time_zone, a.annual_revenue,
	a.years_in_business, a.trade_references, a.created_at, a.updated_at, a.payment_terms_days, a.exposure_minor`

func scanAccount(row pgx.Row) (credit.Account, error) {
	var a credit.Account
	var cur string
	var limit, revenue, exposure int64
	err := row.Scan(&a.ID, &a.Name, &a.RegistrationNumber, &a.Country, &a.BillingEmail, &a.Status,
		&cur, &limit, &a.Segment, &a.SalesRep, &a.TimeZone, &revenue,
		&a.YearsInBusiness, &a.TradeReferences, &a.CreatedAt, &a.UpdatedAt, &a.PaymentTermsDays, &exposure)
	if errors.Is(err, pgx.ErrNoRows) {
		return a, ErrNotFound
	}
	if err != nil {
		return a, err
	}
	a.CreditLimit = money.New(limit, cur)
	a.Exposure = money.New(exposure, cur)
	a.AvailableCredit = money.New(max(limit-exposure, 0), cur)
	a.AnnualRevenue = money.New(revenue, cur)
	return a, nil
}

// Account reads one account with its exposure.
func (s *Store) Account(ctx context.Context, id string) (credit.Account, error) {
	return accountByID(ctx, s.Pool, id)
}

func accountByID(ctx context.Context, q querier, id string) (credit.Account, error) {
	a, err := scanAccount(q.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.id = $1`, id))
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("read account %s: %w", id, err)
	}
	return a, err
}

// AccountFilter narrows the account list.
type AccountFilter struct {
	Status   string
	SalesRep string
}

// Accounts lists accounts in creation order, a page at a time.
func (s *Store) Accounts(ctx context.Context, f AccountFilter, after *Cursor, limit int) ([]credit.Account, *Cursor, error) {
	args := []any{f.Status, f.SalesRep, limit + 1}
	where := `($1 = '' OR a.status = $1) AND ($2 = '' OR a.sales_rep = lower($2))`
	if after != nil {
		where += ` AND (a.created_at, a.id) > ($4, $5)`
		args = append(args, after.At, after.ID)
	}
	rows, err := s.Pool.Query(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE `+where+
		` ORDER BY a.created_at, a.id LIMIT $3`, args...)
	if err != nil {
		return nil, nil, fmt.Errorf("list accounts: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.Account, error) { return scanAccount(row) })
	if err != nil {
		return nil, nil, fmt.Errorf("list accounts: %w", err)
	}
	return page(out, limit, func(a credit.Account) Cursor { return Cursor{a.CreatedAt, a.ID} })
}

// page trims the extra row a list query fetched to learn whether another
// page follows, and returns the cursor of that page.
func page[T any](rows []T, limit int, cursor func(T) Cursor) ([]T, *Cursor, error) {
	if len(rows) <= limit {
		return rows, nil, nil
	}
	rows = rows[:limit]
	c := cursor(rows[limit-1])
	return rows, &c, nil
}

// LongOverdueInvoices counts an account's unpaid invoices more than days
// past their due date, for scoring a limit increase.
func (s *Store) LongOverdueInvoices(ctx context.Context, accountID string, days int) (int, error) {
	var n int
	err := s.Pool.QueryRow(ctx, `SELECT count(*) FROM invoices
		WHERE account_id = $1 AND status IN ('open', 'disputed') AND due_date < current_date - $2::int`,
		accountID, days).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("overdue invoices of %s: %w", accountID, err)
	}
	return n, nil
}

// AddTimeline records something that happened to an account. The key
// makes it idempotent: a retried activity does not write the entry twice.
func (s *Store) AddTimeline(ctx context.Context, accountID, key string, e credit.TimelineEntry) error {
	return addTimeline(ctx, s.Pool, accountID, key, e)
}

func addTimeline(ctx context.Context, q querier, accountID, key string, e credit.TimelineEntry) error {
	var id int64
	err := q.QueryRow(ctx, `INSERT INTO timeline (account_id, event_key, kind, summary, actor, ref)
		VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (event_key) DO NOTHING RETURNING id`,
		accountID, key, e.Kind, e.Summary, e.Actor, e.Ref).Scan(&id)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("timeline of %s: %w", accountID, err)
	}
	return nil
}

// Timeline lists everything that happened to an account, oldest first.
func (s *Store) Timeline(ctx context.Context, accountID string, afterID int64, limit int) ([]credit.TimelineEntry, int64, error) {
	rows, err := s.Pool.Query(ctx, `SELECT id, at, kind, summary, actor, ref FROM timeline
		WHERE account_id = $1 AND id > $2 ORDER BY id LIMIT $3`, accountID, afterID, limit+1)
	if err != nil {
		return nil, 0, fmt.Errorf("timeline of %s: %w", accountID, err)
	}
	defer rows.Close()
	var out []credit.TimelineEntry
	var ids []int64
	for rows.Next() {
		var e credit.TimelineEntry
		var id int64
		if err := rows.Scan(&id, &e.At, &e.Kind, &e.Summary, &e.Actor, &e.Ref); err != nil {
			return nil, 0, err
		}
		out = append(out, e)
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, err
	}
	if len(out) > limit {
		return out[:limit], ids[limit-1], nil
	}
	return out, 0, nil
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

// OpenAccountOfCompany finds the account that is not closed of the company
// registered under number in country (case and spaces aside): a company
// has one open account.
func (s *Store) OpenAccountOfCompany(ctx context.Context, country, number string) (credit.Account, error) {
	// The WHERE's expressions are the index accounts_open_company's
	// (migration 00012): change them together, or every pre-approval
	// reads every account.
	a, err := scanAccount(s.Pool.QueryRow(ctx, `SELECT `+accountColumns+` FROM accounts a
		WHERE upper(a.country) = upper($1) AND upper(regexp_replace(a.registration_number, '\s', '', 'g')) = upper(regexp_replace($2, '\s', '', 'g'))
			AND a.status <> 'closed' ORDER BY a.created_at LIMIT 1`, country, number))
	if err != nil && !errors.Is(err, ErrNotFound) {
		err = fmt.Errorf("account of %s %s: %w", country, number, err)
	}
	return a, err
}
