-- +goose Up
-- The receivables report reads balances as of a past date: an invoice's
-- amount less the payments and credit notes dated by then, and nothing
-- once it was written off by then. Payments and credit notes carry their
-- dates; a write-off now carries its moment too. Those written off before
-- are dated by the timeline entry recorded in the same transaction (else
-- by the invoice's last update, which the write-off was).
ALTER TABLE invoices ADD COLUMN written_off_at timestamptz;
UPDATE invoices i SET written_off_at = coalesce(
        (SELECT t.at FROM timeline t WHERE t.event_key = 'invoice/' || i.id || '/written-off'), i.updated_at)
    WHERE i.status = 'written_off';

-- The report reads the settlements of its last 30 days and the customer
-- emails sent in its last 90.
CREATE INDEX payments_received ON payments (received_at);
CREATE INDEX emails_sent ON emails (sent_at) INCLUDE (kind, account_id) WHERE status = 'sent';

-- The invoice and escalation lists page through (created_at, id), all of
-- them or one account's, one rep's.
CREATE INDEX invoices_created ON invoices (created_at, id);
CREATE INDEX invoices_account_created ON invoices (account_id, created_at, id);
CREATE INDEX escalations_created ON escalations (created_at, id);
CREATE INDEX escalations_rep_created ON escalations (sales_rep, created_at, id);

-- +goose Down
DROP INDEX emails_sent;
DROP INDEX payments_received;
DROP INDEX escalations_rep_created;
DROP INDEX escalations_created;
DROP INDEX invoices_account_created;
DROP INDEX invoices_created;
ALTER TABLE invoices DROP COLUMN written_off_at;
