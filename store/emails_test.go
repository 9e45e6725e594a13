package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

func newEmail(key string) store.NewEmail {
	return store.NewEmail{Key: key, Kind: email.KindRequestReceived, To: []string{"analyst@example.com"},
		Subject: "Credit review needed", Text: "text", HTML: "<p>html</p>", CustomArgs: map[string]string{"kind": email.KindRequestReceived, "email_key": key}}
}

func statusOf(t *testing.T, st *store.Store, key string) string {
	t.Helper()
	var status string
	require.NoError(t, st.Pool.QueryRow(context.Background(), `SELECT status FROM emails WHERE email_key = $1`, key).Scan(&status))
	return status
}

// TestEmailAcceptedAsTheWorkerStopsIsNotSentAgain: the worker stops (the
// activity's context is canceled) right after SendGrid accepted the email;
// the outbox still records it as sent, and the retry sends nothing. During
// the call the row is committed as sending: another connection sees it.
func TestEmailAcceptedAsTheWorkerStopsIsNotSentAgain(t *testing.T) {
	_, st := testenv.Database(t)
	m := newEmail("credit-request/cr_1/received")

	ctx, stop := context.WithCancel(context.Background())
	sends := 0
	status, err := st.DeliverOnce(ctx, m, func(context.Context) (string, error) {
		sends++
		require.Equal(t, store.EmailSending, statusOf(t, st, m.Key), "claimed and committed before the call")
		stop() // the worker shuts down as SendGrid answers 202
		return store.EmailSent, nil
	})
	require.NoError(t, err)
	require.Equal(t, store.EmailSent, status)
	require.Equal(t, store.EmailSent, statusOf(t, st, m.Key))

	status, err = st.DeliverOnce(context.Background(), m, func(context.Context) (string, error) {
		sends++
		return store.EmailSent, nil
	})
	require.NoError(t, err)
	require.Equal(t, store.EmailSent, status)
	require.Equal(t, 1, sends, "the retry finds the email sent")
}

// TestSendingHoldsNoConnectionWhileSendGridAnswers: the 09:00 batch. With
// a pool of 2 connections, 6 emails wait on a SendGrid that does not
// answer; every one of them has reached SendGrid, the rows are committed
// as sending, no session of the database sits idle in a transaction, and
// other queries on the same pool still run.
func TestSendingHoldsNoConnectionWhileSendGridAnswers(t *testing.T) {
	url, _ := testenv.Database(t)
	st, err := store.Open(context.Background(), url, 2)
	require.NoError(t, err)
	defer st.Close()
	sg := testenv.NewFakeSendGrid(t)
	sender := sendgrid.New("SG.key", sg.URL)
	release := sg.Hold()
	defer release()

	const batch = 6
	var wg sync.WaitGroup
	statuses := make([]string, batch)
	errs := make([]error, batch)
	for i := range batch {
		wg.Go(func() {
			m := newEmail("invoice/inv_" + string(rune('a'+i)) + "/day-31-reminder")
			statuses[i], errs[i] = st.DeliverOnce(context.Background(), m, func(ctx context.Context) (string, error) {
				return store.EmailSent, sender.Send(ctx, email.Message{Key: m.Key, Kind: m.Kind, From: "credit@example.com",
					To: m.To, Subject: m.Subject, Text: m.Text, HTML: m.HTML, CustomArgs: m.CustomArgs})
			})
		})
	}
	require.EventuallyWithT(t, func(c *assert.CollectT) {
		assert.Equal(c, batch, sg.Waiting(), "every email of the batch reaches SendGrid, whatever the pool's size")
	}, 10*time.Second, 20*time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	require.NoError(t, st.Ping(ctx), "the pool is not starved")
	var sending, idleInTx int
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM emails WHERE status = 'sending'`).Scan(&sending))
	require.Equal(t, batch, sending, "claimed and committed before the call")
	require.NoError(t, st.Pool.QueryRow(ctx, `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state LIKE 'idle in transaction%'`).Scan(&idleInTx))
	require.Zero(t, idleInTx, "no transaction is open across the call")

	release()
	wg.Wait()
	for i := range batch {
		require.NoError(t, errs[i])
		require.Equal(t, store.EmailSent, statuses[i])
	}
	require.Len(t, sg.Accepted(), batch)
}

// TestEmailCrashWindows: what a retry does with what an earlier attempt
// left behind.
func TestEmailCrashWindows(t *testing.T) {
	ctx := context.Background()
	send := func(sends *int) func(context.Context) (string, error) {
		return func(context.Context) (string, error) { *sends++; return store.EmailSent, nil }
	}

	t.Run("a retry that finds the email sent sends nothing", func(t *testing.T) {
		_, st := testenv.Database(t)
		m := newEmail("k/sent")
		sends := 0
		_, err := st.DeliverOnce(ctx, m, send(&sends))
		require.NoError(t, err)
		status, err := st.DeliverOnce(ctx, m, send(&sends))
		require.NoError(t, err)
		require.Equal(t, store.EmailSent, status)
		require.Equal(t, 1, sends)
	})

	t.Run("a concurrent attempt that finds a live lease sends nothing and is retried", func(t *testing.T) {
		_, st := testenv.Database(t)
		m := newEmail("k/live")
		inCall, answer := make(chan struct{}), make(chan struct{})
		first := make(chan error, 1)
		go func() {
			_, err := st.DeliverOnce(ctx, m, func(context.Context) (string, error) {
				close(inCall)
				<-answer // SendGrid is slow
				return store.EmailSent, nil
			})
			first <- err
		}()
		<-inCall

		sends := 0
		second := make(chan error, 1)
		go func() { _, err := st.DeliverOnce(ctx, m, send(&sends)); second <- err }()
		var err error
		select {
		case err = <-second:
		case <-time.After(5 * time.Second):
			close(answer)
			t.Fatal("the second attempt waits for the first's call instead of answering at once")
		}
		require.ErrorIs(t, err, store.ErrEmailInFlight, "a plain error: Temporal retries it")
		require.Zero(t, sends, "the first attempt may be in its call: the second sends nothing")

		close(answer)
		require.NoError(t, <-first)
		status, err := st.DeliverOnce(ctx, m, send(&sends))
		require.NoError(t, err)
		require.Equal(t, store.EmailSent, status)
		require.Zero(t, sends, "the retry finds it sent")
	})

	t.Run("an attempt that finds an expired lease sends again", func(t *testing.T) {
		_, st := testenv.Database(t)
		m := newEmail("k/expired")
		require.Panics(t, func() {
			_, _ = st.DeliverOnce(ctx, m, func(context.Context) (string, error) {
				panic("the worker dies during its call to SendGrid")
			})
		})
		require.Equal(t, store.EmailSending, statusOf(t, st, m.Key))

		sends := 0
		_, err := st.DeliverOnce(ctx, m, send(&sends))
		require.ErrorIs(t, err, store.ErrEmailInFlight, "until the lease runs out, the dead attempt might still be in its call")
		require.Zero(t, sends)

		// The lease runs out (on Postgres's clock).
		_, err = st.Pool.Exec(ctx, `UPDATE emails SET sending_until = now() - interval '1 second' WHERE email_key = $1`, m.Key)
		require.NoError(t, err)
		status, err := st.DeliverOnce(ctx, m, send(&sends))
		require.NoError(t, err)
		require.Equal(t, store.EmailSent, status)
		require.Equal(t, 1, sends, "sent again: the dead attempt may or may not have reached SendGrid")

		rows, _, err := st.Emails(ctx, store.EmailFilter{}, 0, 10)
		require.NoError(t, err)
		require.Equal(t, 2, rows[0].Attempts)
		require.Contains(t, rows[0].LastError, "possibly delivered twice", "the outbox says so, for whoever checks SendGrid's events")
	})

	t.Run("a retryable failure puts the email back to pending for the next attempt", func(t *testing.T) {
		_, st := testenv.Database(t)
		m := newEmail("k/retry")
		status, err := st.DeliverOnce(ctx, m, func(context.Context) (string, error) {
			return store.EmailSent, context.DeadlineExceeded
		})
		require.Error(t, err)
		require.Equal(t, store.EmailPending, status)
		require.Equal(t, store.EmailPending, statusOf(t, st, m.Key))
		sends := 0
		status, err = st.DeliverOnce(ctx, m, send(&sends))
		require.NoError(t, err)
		require.Equal(t, store.EmailSent, status)
		require.Equal(t, 1, sends)
	})
}
