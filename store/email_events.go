package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// SendGrid's Event Webhook events that Creditflow acts on.
const (
	EventDeferred    = "deferred"
	EventDelivered   = "delivered"
	EventOpen        = "open"
	EventClick       = "click"
	EventUnsubscribe = "unsubscribe"
	EventSpamReport  = "spamreport"
	EventDropped     = "dropped"
	EventBounce      = "bounce"
)

// deliveryRank orders the events by how much they say of an email: later
// in the list wins over earlier, whatever order SendGrid posts them in
// (an open after a delivered, a bounce after a deferral). Bad news
// outranks good; events not listed are kept but change nothing.
var deliveryRank = []string{EventDeferred, EventDelivered, EventOpen, EventClick,
	EventUnsubscribe, EventSpamReport, EventDropped, EventBounce}

// EmailEvent is one event of SendGrid's Event Webhook.
type EmailEvent struct {
	ID        string // sg_event_id
	EmailKey  string // from our custom_args; may be unknown
	Event     string
	Recipient string
	Reason    string
	At        time.Time
}

// Undelivered is a customer email SendGrid could not deliver (bounce or
// dropped): missing contact data the account's rep is asked for.
type Undelivered struct {
	EmailKey  string
	AccountID string
	InvoiceID string
	Address   string
	Event     string
	Reason    string
}

// RecordEmailEvents keeps a batch of events once each (by sg_event_id),
// moves each known email's delivery forward, writes what credit must see
// on the account's timeline (bounces, drops, spam reports, unsubscribes),
// and returns the undelivered customer emails of the batch, whether or
// not an earlier post of the same batch recorded them already: SendGrid
// retries a batch we failed to answer, and what the first post left
// undone is done by the retry. One transaction per call: callers send a
// bounded chunk.
func (s *Store) RecordEmailEvents(ctx context.Context, events []EmailEvent, isCustomerKind func(string) bool) ([]Undelivered, error) {
	if len(events) == 0 {
		return nil, nil
	}
	n := len(events)
	ids, keys, kinds, recipients, reasons, ats := make([]string, n), make([]string, n), make([]string, n),
		make([]string, n), make([]string, n), make([]time.Time, n)
	for i, e := range events {
		ids[i], keys[i], kinds[i], recipients[i], reasons[i], ats[i] = e.ID, e.EmailKey, e.Event, e.Recipient, e.Reason, e.At
	}
	var undelivered []Undelivered
	err := pgx.BeginFunc(ctx, s.Pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `INSERT INTO email_events (sg_event_id, email_key, event, recipient, reason, occurred_at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
			ON CONFLICT (sg_event_id) DO NOTHING`, ids, keys, kinds, recipients, reasons, ats); err != nil {
			return fmt.Errorf("record email events: %w", err)
		}
		// The furthest each email got: compared by rank, then by time,
		// so that replaying a batch, or posting it out of order, ends
		// in the same state.
		if _, err := tx.Exec(ctx, `UPDATE emails e SET delivery = v.event, delivery_detail = v.reason, delivery_at = v.at
			FROM (SELECT DISTINCT ON (email_key) email_key, event, reason, at
				FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[]) AS t (email_key, event, reason, at)
				WHERE array_position($5::text[], event) IS NOT NULL
				ORDER BY email_key, array_position($5::text[], event) DESC, at DESC) v
			WHERE e.email_key = v.email_key
				AND (coalesce(array_position($5::text[], v.event), 0) > coalesce(array_position($5::text[], e.delivery), 0)
					OR (v.event = e.delivery AND v.at > coalesce(e.delivery_at, '-infinity')))`,
			keys, kinds, reasons, ats, deliveryRank); err != nil {
			return fmt.Errorf("record email delivery: %w", err)
		}
		var notable []EmailEvent
		for _, e := range events {
			switch e.Event {
			case EventBounce, EventDropped, EventSpamReport, EventUnsubscribe:
				notable = append(notable, e)
			}
		}
		if len(notable) == 0 {
			return nil
		}
		var err error
		undelivered, err = s.showToCredit(ctx, tx, notable, isCustomerKind)
		return err
	})
	return undelivered, err
}

// showToCredit writes the notable events on their accounts' timelines,
// once per event, and returns the undelivered customer emails among them.
func (s *Store) showToCredit(ctx context.Context, tx pgx.Tx, events []EmailEvent, isCustomerKind func(string) bool) ([]Undelivered, error) {
	keys := make([]string, 0, len(events))
	for _, e := range events {
		keys = append(keys, e.EmailKey)
	}
	slices.Sort(keys)
	rows, err := tx.Query(ctx, `SELECT email_key, kind, account_id, coalesce(custom_args->>'invoice_id', invoice_ids[1], '')
		FROM emails WHERE email_key = ANY($1) AND account_id IS NOT NULL`, slices.Compact(keys))
	if err != nil {
		return nil, fmt.Errorf("emails of events: %w", err)
	}
	type outboxEmail struct{ kind, account, invoice string }
	known := map[string]outboxEmail{}
	var key string
	var e outboxEmail
	if _, err := pgx.ForEachRow(rows, []any{&key, &e.kind, &e.account, &e.invoice}, func() error {
		known[key] = e
		return nil
	}); err != nil {
		return nil, fmt.Errorf("emails of events: %w", err)
	}
	var out []Undelivered
	var tAccounts, tKeys, tKinds, tSummaries, tRefs []string
	for _, ev := range events {
		m, ok := known[ev.EmailKey]
		if !ok {
			continue // not ours, or not about an account: kept in email_events only
		}
		tAccounts, tKeys, tKinds = append(tAccounts, m.account), append(tKeys, "sendgrid-event/"+ev.ID), append(tKinds, "email_"+ev.Event)
		tSummaries, tRefs = append(tSummaries, eventSummary(m.kind, ev)), append(tRefs, ev.EmailKey)
		if (ev.Event == EventBounce || ev.Event == EventDropped) && isCustomerKind(m.kind) {
			out = append(out, Undelivered{EmailKey: ev.EmailKey, AccountID: m.account, InvoiceID: m.invoice,
				Address: strings.ToLower(ev.Recipient), Event: ev.Event, Reason: ev.Reason})
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO timeline (account_id, event_key, kind, summary, actor, ref)
		SELECT account_id, event_key, kind, summary, 'sendgrid', ref
		FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[]) AS t (account_id, event_key, kind, summary, ref)
		ON CONFLICT (event_key) DO NOTHING`, tAccounts, tKeys, tKinds, tSummaries, tRefs); err != nil {
		return nil, fmt.Errorf("timeline of email events: %w", err)
	}
	return out, nil
}

// eventSummary says what happened as a credit analyst reads it.
func eventSummary(kind string, ev EmailEvent) string {
	what := strings.ReplaceAll(kind, "_", " ")
	var s string
	switch ev.Event {
	case EventBounce:
		s = fmt.Sprintf("The %s to %s bounced: not delivered", what, ev.Recipient)
	case EventDropped:
		s = fmt.Sprintf("SendGrid dropped the %s to %s: not delivered", what, ev.Recipient)
	case EventSpamReport:
		s = fmt.Sprintf("%s marked our %s as spam", ev.Recipient, what)
	case EventUnsubscribe:
		s = fmt.Sprintf("%s unsubscribed from our emails (after the %s)", ev.Recipient, what)
	}
	if ev.Reason != "" {
		s += " (" + ev.Reason + ")"
	}
	return s
}

// deliveryOutcome is a customer step's outcome once SendGrid said the
// email was not delivered.
func deliveryOutcome(outcome, delivery, detail string) string {
	var s string
	switch delivery {
	case EventBounce:
		s = "not delivered: bounced"
	case EventDropped:
		s = "not delivered: dropped by SendGrid"
	default:
		return outcome
	}
	if detail != "" {
		s += " (" + detail + ")"
	}
	return s + "; the sales rep was asked for the right contact"
}
