package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
)

// DigestRecipients lists, by email after after, the active sales reps and
// credit managers: the people the weekly digest is composed for. Emails
// compare bytewise (COLLATE "C"), so that the pages follow one order
// whatever the database's collation.
func (s *Store) DigestRecipients(ctx context.Context, after string, limit int) ([]credit.User, error) {
	rows, err := s.Pool.Query(ctx, `SELECT `+userColumns+` FROM users
		WHERE role IN ('sales', 'credit_manager') AND disabled_at IS NULL AND email COLLATE "C" > $1
		ORDER BY email COLLATE "C" LIMIT $2`, after, limit)
	if err != nil {
		return nil, fmt.Errorf("digest recipients: %w", err)
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (credit.User, error) { return scanUser(row) })
}

// What a digest's line links to in the credit desk.
const (
	DigestLinkAccount    = "accounts"
	DigestLinkEscalation = "escalations"
	DigestLinkRequest    = "requests"
)

// DigestItem is one line of a digest: an account and why it is there.
type DigestItem struct {
	Account string
	Why     string
	// Since is when it began (a hold placed, a request filed); nil when
	// the line has no beginning worth telling.
	Since *time.Time
	// Link and LinkID name the desk page the line opens.
	Link, LinkID string
}

// DigestList is one list of a digest: the first lines, and how many there
// are in all.
type DigestList struct {
	Total int
	Items []DigestItem
}

// DigestScope is what a digest reads: its week and the policy's limits.
type DigestScope struct {
	At          time.Time
	DecidedFrom time.Time
	// Today and DueUntil are dates (YYYY-MM-DD).
	Today, DueUntil string
	// ReviewDueBefore: a request waiting since before it is past the
	// review service level.
	ReviewDueBefore     time.Time
	HighRiskBands       []string
	HighRiskSegments    []string
	HighRiskOverdueDays int
	MostOverdue         int
	Items               int
}

// RepDigest is what a sales rep's digest lists, their own accounts only.
type RepDigest struct {
	OnHold, HighRisk, Escalations, PromisesDue, AwaitingCredit DigestList
}

// ManagerDigest is what a credit manager's digest lists, across accounts.
type ManagerDigest struct {
	PastServiceLevel, Holds, MostOverdue, Decisions DigestList
}

// RepDigest reads a rep's digest. Every query is bound to the rep: their
// accounts, their escalations, their requests; never another rep's.
func (s *Store) RepDigest(ctx context.Context, rep string, sc DigestScope) (RepDigest, error) {
	var d RepDigest
	var err error
	if d.OnHold, err = s.holdsDigest(ctx, rep, sc, sc.Items); err != nil {
		return d, err
	}
	if d.HighRisk, err = s.highRiskDigest(ctx, rep, sc); err != nil {
		return d, err
	}
	if d.Escalations, err = s.escalationsDigest(ctx, rep, sc); err != nil {
		return d, err
	}
	if d.PromisesDue, err = s.promisesDigest(ctx, rep, sc); err != nil {
		return d, err
	}
	d.AwaitingCredit, err = s.requestsDigest(ctx, `r.created_by = $1 AND r.status IN ('scoring', 'pending_review')`, rep, sc.Items, false)
	return d, err
}

// ManagerDigest reads a credit manager's digest.
func (s *Store) ManagerDigest(ctx context.Context, sc DigestScope) (ManagerDigest, error) {
	var d ManagerDigest
	var err error
	if d.PastServiceLevel, err = s.requestsDigest(ctx, `r.status = 'pending_review' AND r.created_at < $1`, sc.ReviewDueBefore, sc.Items, true); err != nil {
		return d, err
	}
	if d.Holds, err = s.holdsDigest(ctx, "", sc, sc.Items); err != nil {
		return d, err
	}
	if d.MostOverdue, err = s.mostOverdueDigest(ctx, sc); err != nil {
		return d, err
	}
	d.Decisions, err = s.decisionsDigest(ctx, sc)
	return d, err
}

// digestList runs a query whose rows end with count(*) OVER () and scans
// each row's other columns with scan.
func digestList(ctx context.Context, q querier, what, sql string, args []any, scan func(row pgx.CollectableRow, total *int) (DigestItem, error)) (DigestList, error) {
	var l DigestList
	rows, err := q.Query(ctx, sql, args...)
	if err != nil {
		return l, fmt.Errorf("digest %s: %w", what, err)
	}
	l.Items, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (DigestItem, error) { return scan(row, &l.Total) })
	if err != nil {
		return l, fmt.Errorf("digest %s: %w", what, err)
	}
	return l, nil
}

// holdsDigest lists the accounts on hold (a rep's, or everyone's when rep
// is ""), longest on hold first, with each hold's cause.
func (s *Store) holdsDigest(ctx context.Context, rep string, sc DigestScope, limit int) (DigestList, error) {
	return digestList(ctx, s.Pool, "holds", `SELECT a.id, a.name, min(h.placed_at),
			coalesce(array_agg(h.cause ORDER BY h.placed_at) FILTER (WHERE h.cause IS NOT NULL), '{}'),
			coalesce(array_agg(coalesce(i.number, '') ORDER BY h.placed_at) FILTER (WHERE h.cause IS NOT NULL), '{}'),
			coalesce(array_agg(coalesce($2::date - i.due_date, 0) ORDER BY h.placed_at) FILTER (WHERE h.cause IS NOT NULL), '{}'),
			a.updated_at, count(*) OVER ()
		FROM accounts a
		LEFT JOIN holds h ON h.account_id = a.id AND h.released_at IS NULL
		LEFT JOIN invoices i ON i.id = h.invoice_id
		WHERE a.status = 'on_hold' AND ($1 = '' OR a.sales_rep = $1)
		GROUP BY a.id ORDER BY coalesce(min(h.placed_at), a.updated_at), a.id LIMIT $3`,
		[]any{rep, sc.Today, limit},
		func(row pgx.CollectableRow, total *int) (DigestItem, error) {
			var it DigestItem
			var since *time.Time
			var updated time.Time
			var causes, numbers []string
			var days []int32
			if err := row.Scan(&it.LinkID, &it.Account, &since, &causes, &numbers, &days, &updated, total); err != nil {
				return it, err
			}
			var why []string
			for k, cause := range causes {
				switch cause {
				case "invoice":
					why = append(why, fmt.Sprintf("invoice %s unpaid %d days after its due date", numbers[k], days[k]))
				case "exposure":
					why = append(why, "exposure over the credit limit")
				default:
					why = append(why, strings.ReplaceAll(cause, "_", " "))
				}
			}
			if len(why) == 0 {
				why = append(why, "on hold")
			}
			if since == nil {
				since = &updated
			}
			it.Why, it.Since, it.Link = strings.Join(why, "; "), since, DigestLinkAccount
			return it, nil
		})
}

// highRiskDigest lists a rep's active accounts (not on hold: those are
// listed already) in a high-risk band or segment, or with an invoice long
// overdue; the longest overdue first.
func (s *Store) highRiskDigest(ctx context.Context, rep string, sc DigestScope) (DigestList, error) {
	return digestList(ctx, s.Pool, "high-risk accounts", `SELECT a.id, a.name, coalesce(b.band, ''), a.segment,
			coalesce(o.number, ''), o.due_date, count(*) OVER ()
		FROM accounts a
		LEFT JOIN LATERAL (SELECT r.band FROM credit_requests r WHERE r.account_id = a.id AND r.band IS NOT NULL
			ORDER BY r.created_at DESC, r.id DESC LIMIT 1) b ON true
		LEFT JOIN LATERAL (SELECT i.number, i.due_date FROM invoices i
			WHERE i.account_id = a.id AND i.status IN ('open', 'disputed') AND i.due_date < $2::date - $3::int
			ORDER BY i.due_date, i.id LIMIT 1) o ON true
		WHERE a.sales_rep = $1 AND a.status = 'active'
			AND (b.band = ANY($4) OR a.segment = ANY($5) OR o.number IS NOT NULL)
		ORDER BY o.due_date NULLS LAST, a.name, a.id LIMIT $6`,
		[]any{rep, sc.Today, sc.HighRiskOverdueDays, sc.HighRiskBands, sc.HighRiskSegments, sc.Items},
		func(row pgx.CollectableRow, total *int) (DigestItem, error) {
			var it DigestItem
			var band, segment, number string
			var due *time.Time
			if err := row.Scan(&it.LinkID, &it.Account, &band, &segment, &number, &due, total); err != nil {
				return it, err
			}
			var why []string
			if number != "" {
				today, _ := time.Parse(time.DateOnly, sc.Today)
				why = append(why, fmt.Sprintf("invoice %s is %d days overdue", number, int(today.Sub(*due).Hours()/24)))
				it.Since = due
			}
			if slices.Contains(sc.HighRiskBands, band) {
				why = append(why, "band "+band)
			}
			if slices.Contains(sc.HighRiskSegments, segment) {
				why = append(why, segment+" payer")
			}
			it.Why, it.Link = strings.Join(why, "; "), DigestLinkAccount
			return it, nil
		})
}

// escalationsDigest lists the escalations waiting for a rep's
// acknowledgement, oldest first.
func (s *Store) escalationsDigest(ctx context.Context, rep string, sc DigestScope) (DigestList, error) {
	return digestList(ctx, s.Pool, "escalations", `SELECT e.id, a.name, e.reason, e.status, e.created_at, count(*) OVER ()
		FROM escalations e JOIN accounts a ON a.id = e.account_id
		WHERE e.sales_rep = $1 AND e.status IN ('open', 'overdue')
		ORDER BY e.created_at, e.id LIMIT $2`,
		[]any{rep, sc.Items},
		func(row pgx.CollectableRow, total *int) (DigestItem, error) {
			var it DigestItem
			var reason, status string
			var since time.Time
			if err := row.Scan(&it.LinkID, &it.Account, &reason, &status, &since, total); err != nil {
				return it, err
			}
			it.Why = "waiting for your acknowledgement: " + reason
			if status == credit.EscalationOverdue {
				it.Why = "overdue, your manager was told: " + reason
			}
			it.Since, it.Link = &since, DigestLinkEscalation
			return it, nil
		})
}

// promisesDigest lists the open promises to pay on a rep's accounts that
// fall due this week, soonest first.
func (s *Store) promisesDigest(ctx context.Context, rep string, sc DigestScope) (DigestList, error) {
	return digestList(ctx, s.Pool, "promises", `SELECT a.id, a.name, i.number, p.amount, i.currency, p.promised_date, count(*) OVER ()
		FROM promises p JOIN invoices i ON i.id = p.invoice_id JOIN accounts a ON a.id = i.account_id
		WHERE a.sales_rep = $1 AND p.status = 'open' AND i.status IN ('open', 'disputed')
			AND p.promised_date BETWEEN $2::date AND $3::date
		ORDER BY p.promised_date, a.name, p.promise_key LIMIT $4`,
		[]any{rep, sc.Today, sc.DueUntil, sc.Items},
		func(row pgx.CollectableRow, total *int) (DigestItem, error) {
			var it DigestItem
			var number, cur string
			var amount int64
			var date time.Time
			if err := row.Scan(&it.LinkID, &it.Account, &number, &amount, &cur, &date, total); err != nil {
				return it, err
			}
			it.Why = fmt.Sprintf("promised %s on invoice %s by %s", money.New(amount, cur).Display(), number, date.Format("Mon 2 Jan"))
			it.Link = DigestLinkAccount
			return it, nil
		})
}

// requestsDigest lists the credit requests matching where (with $1 its
// one argument), oldest first; showAsker names the rep who asked.
func (s *Store) requestsDigest(ctx context.Context, where string, arg any, limit int, showAsker bool) (DigestList, error) {
	return digestList(ctx, s.Pool, "credit requests", `SELECT r.id, a.name, r.kind, r.requested_limit, r.currency,
			coalesce(r.band, ''), r.created_by, r.created_at, count(*) OVER ()
		FROM credit_requests r JOIN accounts a ON a.id = r.account_id
		WHERE `+where+`
		ORDER BY r.created_at, r.id LIMIT $2`,
		[]any{arg, limit},
		func(row pgx.CollectableRow, total *int) (DigestItem, error) {
			var it DigestItem
			var kind, cur, band, by string
			var limit int64
			var since time.Time
			if err := row.Scan(&it.LinkID, &it.Account, &kind, &limit, &cur, &band, &by, &since, total); err != nil {
				return it, err
			}
			it.Why = fmt.Sprintf("%s of %s", strings.ReplaceAll(kind, "_", " "), money.New(limit, cur).Display())
			if band != "" {
				it.Why += ", band " + band
			}
			if showAsker {
				it.Why += ", asked by " + by
			}
			it.Since, it.Link = &since, DigestLinkRequest
			return it, nil
		})
}

// mostOverdueDigest lists the accounts whose oldest unpaid invoice is
// the most overdue, with what they owe past due.
func (s *Store) mostOverdueDigest(ctx context.Context, sc DigestScope) (DigestList, error) {
	return digestList(ctx, s.Pool, "most overdue accounts", `SELECT a.id, a.name, min(i.due_date), sum(i.balance), a.currency,
			count(*), count(*) OVER ()
		FROM accounts a JOIN invoices i ON i.account_id = a.id
		WHERE i.status IN ('open', 'disputed') AND i.due_date < $1::date
		GROUP BY a.id ORDER BY min(i.due_date), sum(i.balance) DESC, a.id LIMIT $2`,
		[]any{sc.Today, sc.MostOverdue},
		func(row pgx.CollectableRow, total *int) (DigestItem, error) {
			var it DigestItem
			var oldest time.Time
			var overdue int64
			var cur string
			var invoices int
			if err := row.Scan(&it.LinkID, &it.Account, &oldest, &overdue, &cur, &invoices, total); err != nil {
				return it, err
			}
			plural := "s"
			if invoices == 1 {
				plural = ""
			}
			it.Why = fmt.Sprintf("%s overdue on %d invoice%s", money.New(overdue, cur).Display(), invoices, plural)
			it.Since, it.Link = &oldest, DigestLinkAccount
			return it, nil
		})
}

// decisionsDigest lists the week's credit decisions, latest first.
func (s *Store) decisionsDigest(ctx context.Context, sc DigestScope) (DigestList, error) {
	return digestList(ctx, s.Pool, "decisions", `SELECT r.id, a.name, d.outcome, d.approved_limit, r.currency, d.decided_by,
			d.decided_at, count(*) OVER ()
		FROM decisions d JOIN credit_requests r ON r.id = d.request_id JOIN accounts a ON a.id = r.account_id
		WHERE d.event = 'decided' AND d.decided_at >= $1 AND d.decided_at < $2
		ORDER BY d.decided_at DESC, d.id DESC LIMIT $3`,
		[]any{sc.DecidedFrom, sc.At, sc.Items},
		func(row pgx.CollectableRow, total *int) (DigestItem, error) {
			var it DigestItem
			var outcome, cur, by string
			var approved *int64
			var at time.Time
			if err := row.Scan(&it.LinkID, &it.Account, &outcome, &approved, &cur, &by, &at, total); err != nil {
				return it, err
			}
			it.Why = strings.ReplaceAll(outcome, "_", " ")
			if approved != nil && outcome != credit.OutcomeDecline {
				it.Why += " at " + money.New(*approved, cur).Display()
			}
			it.Why += " by " + by
			it.Since, it.Link = &at, DigestLinkRequest
			return it, nil
		})
}

// EmailFinished tells whether the email under key went out already (or
// was logged, or refused for good): a digest run again that period
// need not read the person's accounts again.
func (s *Store) EmailFinished(ctx context.Context, key string) (bool, error) {
	var done bool
	err := s.Pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM emails WHERE email_key = $1 AND status IN ('sent', 'logged', 'rejected'))`, key).Scan(&done)
	if err != nil {
		return false, fmt.Errorf("outbox %s: %w", key, err)
	}
	return done, nil
}
