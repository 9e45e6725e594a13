package activities_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
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
