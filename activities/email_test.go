package activities_test

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/metrics"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

func decidedEmail(key string) workflows.Email {
	return workflows.Email{
		Key:  key,
		Kind: email.KindRequestDecided,
		To:   []string{"rep@example.com"},
		Facts: map[string]string{
			"AccountName": "Acme Tools GmbH", "KindLabel": "credit pre-approval", "OutcomeLabel": "Approved",
			"OutcomeSentence": "approved", "RequestedLimit": "EUR 50,000.00", "ApprovedLimit": "EUR 50,000.00",
			"Score": "85", "Band": "A", "Reasons": "7 years in business: +30 points", "RequestID": "cr_1", "AccountID": "acc_1",
		},
		IDs: map[string]string{"request_id": "cr_1"},
	}
}

// send runs the activity once, as one attempt of Temporal's retries would.
func send(t *testing.T, a *activities.Activities, e workflows.Email) (workflows.SentEmail, error) {
	t.Helper()
	var s testsuite.WorkflowTestSuite
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	v, err := env.ExecuteActivity(a.SendEmail, e)
	var out workflows.SentEmail
	if err == nil {
		require.NoError(t, v.Get(&out))
	}
	return out, err
}

func outbox(t *testing.T, st *store.Store, kind string) []store.OutboxEmail {
	t.Helper()
	rows, _, err := st.Emails(context.Background(), store.EmailFilter{Kind: kind}, 0, 100)
	require.NoError(t, err)
	return rows
}

func TestEmailIsSentOnceWhateverTheRetries(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com"}

	sg.FailNext(http.StatusTooManyRequests, http.StatusServiceUnavailable)
	for range 2 {
		_, err := send(t, a, decidedEmail("credit-request/cr_1/decided"))
		require.Error(t, err, "429 and 5xx fail the attempt")
		var appErr *temporal.ApplicationError
		if errors.As(err, &appErr) {
			require.False(t, appErr.NonRetryable(), "429 and 5xx are retried")
		}
	}
	rows := outbox(t, st, email.KindRequestDecided)
	require.Len(t, rows, 1)
	require.Equal(t, store.EmailPending, rows[0].Status)
	require.Equal(t, 2, rows[0].Attempts)

	sent, err := send(t, a, decidedEmail("credit-request/cr_1/decided"))
	require.NoError(t, err)
	require.Equal(t, store.EmailSent, sent.Status)
	// A replayed or retried activity after success sends nothing.
	_, err = send(t, a, decidedEmail("credit-request/cr_1/decided"))
	require.NoError(t, err)

	require.Equal(t, 3, sg.Attempts())
	require.Len(t, sg.Accepted(), 1)
	rows = outbox(t, st, email.KindRequestDecided)
	require.Len(t, rows, 1)
	require.Equal(t, store.EmailSent, rows[0].Status)
	require.Equal(t, map[string]string{"kind": "request_decided", "email_key": "credit-request/cr_1/decided", "request_id": "cr_1"}, rows[0].CustomArgs)
}

func TestRejectedEmailIsRecordedAndNotRetried(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com"}

	sg.RejectAddressNext()
	_, err := send(t, a, decidedEmail("k/1"))
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "%v", err)
	require.True(t, appErr.NonRetryable())
	require.Equal(t, workflows.ErrTypeEmailRejected, appErr.Type())

	_, err = send(t, a, decidedEmail("k/1"))
	require.NoError(t, err, "a rejected email is final, not an error forever")
	require.Equal(t, 1, sg.Attempts(), "never sent again")
	rows := outbox(t, st, email.KindRequestDecided)
	require.Equal(t, store.EmailRejected, rows[0].Status)
	require.Contains(t, rows[0].LastError, "400")
}

func TestWithoutSendGridKeyEmailsAreLoggedIntoTheOutbox(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), From: "credit@example.com"}
	sent, err := send(t, a, decidedEmail("k/2"))
	require.NoError(t, err)
	require.Equal(t, store.EmailLogged, sent.Status)
	rows := outbox(t, st, email.KindRequestDecided)
	require.Len(t, rows, 1)
	require.Contains(t, rows[0].Text, "Acme Tools GmbH")
	require.Contains(t, rows[0].HTML, "<strong>approved</strong>")
}

func TestCreditTeamIsTheSharedMailboxOrEveryAnalyst(t *testing.T) {
	_, st := testenv.Database(t)
	ctx := context.Background()
	for _, u := range []credit.User{
		{Email: "b.analyst@example.com", Role: credit.RoleCredit},
		{Email: "a.analyst@example.com", Role: credit.RoleCredit},
		{Email: "boss@example.com", Role: credit.RoleCreditManager},
	} {
		_, err := st.CreateUser(ctx, u, store.NewToken())
		require.NoError(t, err)
	}
	e := decidedEmail("k/3")
	e.To, e.Audience = nil, workflows.AudienceCreditTeam

	a := &activities.Activities{Store: st, Policy: policy.Default(), From: "credit@example.com"}
	sent, err := send(t, a, e)
	require.NoError(t, err)
	require.Equal(t, []string{"a.analyst@example.com", "b.analyst@example.com"}, sent.To)

	a.CreditTeam = "credit-team@example.com"
	e.Key = "k/4"
	sent, err = send(t, a, e)
	require.NoError(t, err)
	require.Equal(t, []string{"credit-team@example.com"}, sent.To)
}

// logRecords keeps what a logger logged, for tests that count messages.
type logRecords struct {
	mu      sync.Mutex
	records []slog.Record
}

func (l *logRecords) Enabled(context.Context, slog.Level) bool { return true }
func (l *logRecords) Handle(_ context.Context, r slog.Record) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, r)
	return nil
}
func (l *logRecords) WithAttrs([]slog.Attr) slog.Handler { return l }
func (l *logRecords) WithGroup(string) slog.Handler      { return l }

// count counts the records at level whose message contains text.
func (l *logRecords) count(level slog.Level, text string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, r := range l.records {
		if r.Level == level && strings.Contains(r.Message, text) {
			n++
		}
	}
	return n
}

// retryable fails the test unless err is one Temporal's retry policy
// retries, and not the refusal that makes the workflow blame the
// customer's address (contact_missing).
func retryable(t *testing.T, err error) {
	t.Helper()
	require.Error(t, err)
	var appErr *temporal.ApplicationError
	if errors.As(err, &appErr) {
		require.False(t, appErr.NonRetryable(), "%v", err)
		require.NotEqual(t, workflows.ErrTypeEmailRejected, appErr.Type(), "never blamed on the customer")
	}
}

// TestRevokedKeyIsOurOutageNotTheCustomers: SendGrid answers 401 for a
// while (a revoked key), then 202 once it is fixed. The reminder waits in
// the outbox and goes out exactly once; the customer is never blamed (no
// rejected row, no contact_missing); each refusal is counted, the outage
// is logged once as it starts and once as it ends, and the readiness
// status shows it meanwhile.
func TestRevokedKeyIsOurOutageNotTheCustomers(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	logs := &logRecords{}
	m, err := metrics.New(slog.New(logs))
	require.NoError(t, err)
	key := &email.KeyStatus{Logger: slog.New(logs), Failures: m.SendGridAuthFailures, Rejected: m.SendGridKeyRejected}
	sender := sendgrid.New("SG.revoked", sg.URL)
	sender.Key = key
	a := &activities.Activities{Store: st, Policy: policy.Default(), Day: 24 * time.Hour, Mail: sender, From: "credit@example.com"}
	inv := invoiceFixture(t, st, "UTC")
	reminder := workflows.InvoiceEmail{Key: "invoice/inv_1/day-31-reminder", Kind: email.KindInvoiceReminder, InvoiceID: inv.ID, DaysPastDue: 1}

	require.Empty(t, key.Problem())
	sg.Outage(http.StatusUnauthorized)
	var s testsuite.WorkflowTestSuite
	for range 3 {
		env := s.NewTestActivityEnvironment()
		env.RegisterActivity(a)
		_, err := env.ExecuteActivity(a.SendInvoiceEmail, reminder)
		retryable(t, err)
		require.Contains(t, key.Problem(), "sendgrid rejects our API key", "readyz reports the outage")
	}
	rows := outbox(t, st, email.KindInvoiceReminder)
	require.Len(t, rows, 1)
	require.Equal(t, store.EmailPending, rows[0].Status, "not rejected: the address is fine, our key is not")
	require.Equal(t, 3, rows[0].Attempts)
	require.Contains(t, rows[0].LastError, "401")
	require.Equal(t, 3.0, testutil.ToFloat64(m.SendGridAuthFailures))
	require.Equal(t, 1.0, testutil.ToFloat64(m.SendGridKeyRejected))
	require.Equal(t, 1, logs.count(slog.LevelError, "SendGrid rejects our API key"), "logged once per outage, not per retry")

	sg.Recover()
	sent := run[workflows.SentEmail](t, a, a.SendInvoiceEmail, reminder)
	require.Equal(t, store.EmailSent, sent.Status)
	_ = run[workflows.SentEmail](t, a, a.SendInvoiceEmail, reminder) // a late retry sends nothing

	require.Len(t, sg.OfKind(email.KindInvoiceReminder), 1, "sent exactly once")
	require.Empty(t, sg.OfKind(email.KindContactMissing))
	require.Empty(t, outbox(t, st, email.KindContactMissing))
	require.Equal(t, store.EmailSent, outbox(t, st, email.KindInvoiceReminder)[0].Status)
	require.Empty(t, key.Problem(), "the outage is over with the first accepted email")
	require.Equal(t, 0.0, testutil.ToFloat64(m.SendGridKeyRejected))
	require.Equal(t, 3.0, testutil.ToFloat64(m.SendGridAuthFailures))
	require.Equal(t, 1, logs.count(slog.LevelError, "SendGrid rejects our API key"))
	require.Equal(t, 1, logs.count(slog.LevelInfo, "SendGrid accepts our API key again"))
}

// TestRefusalsOfOursAreRetriedNotBlamedOnTheCustomer: 403 (a key without
// the mail.send scope, an unverified sender), 413 (too large) and a 400
// that names no recipient are ours to fix: retried, never rejected.
func TestRefusalsOfOursAreRetriedNotBlamedOnTheCustomer(t *testing.T) {
	for _, status := range []int{http.StatusForbidden, http.StatusRequestEntityTooLarge, http.StatusBadRequest} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			_, st := testenv.Database(t)
			sg := testenv.NewFakeSendGrid(t)
			a := &activities.Activities{Store: st, Policy: policy.Default(), Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com"}

			sg.FailNext(status)
			_, err := send(t, a, decidedEmail("k/ours"))
			retryable(t, err)
			rows := outbox(t, st, email.KindRequestDecided)
			require.Equal(t, store.EmailPending, rows[0].Status)

			sent, err := send(t, a, decidedEmail("k/ours"))
			require.NoError(t, err)
			require.Equal(t, store.EmailSent, sent.Status)
			require.Len(t, sg.Accepted(), 1)
		})
	}
}
