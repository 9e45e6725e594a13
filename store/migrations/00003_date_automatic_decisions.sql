-- +goose Up
-- Automatic decisions were stored without their moment (0001-01-01: the
-- workflow never set it). Date them by what recorded them in the same
-- transaction: the timeline's "decided" entry, else the request's last
-- update. The audit trail is append-only; this repair is the one
-- exception, made with its trigger held.
ALTER TABLE decisions DISABLE TRIGGER decisions_append_only;
UPDATE decisions d SET decided_at = coalesce(
        (SELECT t.at FROM timeline t WHERE t.event_key = d.request_id || '/decided'),
        (SELECT r.updated_at FROM credit_requests r WHERE r.id = d.request_id))
    WHERE d.event = 'decided' AND d.decided_at < '1900-01-01';
ALTER TABLE decisions ENABLE TRIGGER decisions_append_only;
UPDATE credit_requests r SET
        decided_at = d.decided_at,
        decision = jsonb_set(r.decision, '{decided_at}', to_jsonb(d.decided_at))
    FROM decisions d
    WHERE d.request_id = r.id AND d.event = 'decided' AND r.decided_at < '1900-01-01';

-- +goose Down
SELECT 1;
