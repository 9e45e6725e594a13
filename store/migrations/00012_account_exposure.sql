-- +goose Up
-- An account's exposure (the balances of its open and disputed invoices)
-- is kept on its row instead of summed on every read: an account with
-- 10,000 open invoices summed them for every GET, credit check and
-- payment.
--
-- Triggers keep it, in the transaction that changes an invoice, so that
-- no writer (an activity, the import, a fixture, a later feature) can
-- change a balance and forget the exposure.

-- No invoice changes while the column is filled and its triggers made.
LOCK TABLE invoices IN SHARE MODE;

ALTER TABLE accounts ADD COLUMN exposure_minor bigint NOT NULL DEFAULT 0 CHECK (exposure_minor >= 0);

-- +goose StatementBegin
-- Inserts are counted per statement: the import writes up to 1,000
-- invoices in one, over many accounts, and each account is written once.
-- Accounts are locked in id order so that two imports never deadlock.
CREATE FUNCTION invoices_exposure_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM accounts WHERE id IN (
        SELECT account_id FROM new_invoices WHERE status IN ('open', 'disputed') AND balance <> 0)
        ORDER BY id FOR NO KEY UPDATE;
    UPDATE accounts a SET exposure_minor = a.exposure_minor + n.added
    FROM (SELECT account_id, sum(balance) AS added FROM new_invoices
          WHERE status IN ('open', 'disputed') GROUP BY account_id) n
    WHERE a.id = n.account_id AND n.added <> 0;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER invoices_exposure_inserted AFTER INSERT ON invoices
    REFERENCING NEW TABLE AS new_invoices
    FOR EACH STATEMENT EXECUTE FUNCTION invoices_exposure_inserted();

-- +goose StatementBegin
-- Payments, credit notes, write-offs and disputes change one invoice at a
-- time.
CREATE FUNCTION invoices_exposure_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was bigint := 0;
    now_owed bigint := 0;
BEGIN
    IF OLD.status IN ('open', 'disputed') THEN
        was := OLD.balance;
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.status IN ('open', 'disputed') THEN
        now_owed := NEW.balance;
    END IF;
    IF TG_OP = 'UPDATE' AND OLD.account_id = NEW.account_id THEN
        IF now_owed <> was THEN
            UPDATE accounts SET exposure_minor = exposure_minor + now_owed - was WHERE id = NEW.account_id;
        END IF;
        RETURN NULL;
    END IF;
    IF was <> 0 THEN
        UPDATE accounts SET exposure_minor = exposure_minor - was WHERE id = OLD.account_id;
    END IF;
    IF now_owed <> 0 THEN
        UPDATE accounts SET exposure_minor = exposure_minor + now_owed WHERE id = NEW.account_id;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER invoices_exposure_changed AFTER UPDATE OF balance, status, account_id OR DELETE ON invoices
    FOR EACH ROW EXECUTE FUNCTION invoices_exposure_changed();

UPDATE accounts a SET exposure_minor = o.owed
FROM (SELECT account_id, sum(balance) AS owed FROM invoices
      WHERE status IN ('open', 'disputed') GROUP BY account_id) o
WHERE a.id = o.account_id;

-- GET /accounts/{id} lists the first 100 open invoices by due date; an
-- account with thousands of them reads 100 index entries, not all its rows.
CREATE INDEX invoices_account_open_due ON invoices (account_id, due_date, id) WHERE status IN ('open', 'disputed');

-- A pre-approval looks for the company's open account (OpenAccountOfCompany)
-- by country and registration number, case and spaces aside: without this
-- index every POST read every account with a regular expression (47 ms
-- at 20,000 accounts; 0.1 ms with it).
CREATE INDEX accounts_open_company ON accounts (upper(country), upper(regexp_replace(registration_number, '\s', '', 'g')))
    WHERE status <> 'closed';

-- +goose Down
DROP INDEX accounts_open_company;
DROP INDEX invoices_account_open_due;
DROP TRIGGER invoices_exposure_changed ON invoices;
DROP FUNCTION invoices_exposure_changed();
DROP TRIGGER invoices_exposure_inserted ON invoices;
DROP FUNCTION invoices_exposure_inserted();
ALTER TABLE accounts DROP COLUMN exposure_minor;
