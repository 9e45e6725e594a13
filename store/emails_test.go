package store_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
)

// TestEmailAcceptedAsTheWorkerStopsIsNotSentAgain: the worker stops (the
// activity's context is canceled) right after SendGrid accepted the email;
// the outbox still records it as sent, and the retry sends nothing.
func TestEmailAcceptedAsTheWorkerStopsIsNotSentAgain(t *testing.T) {
	_, st := testenv.Database(t)
	m := store.NewEmail{Key: "credit-request/cr_1/received", Kind: email.KindRequestReceived, To: []string{"analyst@example.com"},
		Subject: "Credit review needed", Text: "text", HTML: "<p>html</p>", CustomArgs: map[string]string{"kind": email.KindRequestReceived}}

	ctx, stop := context.WithCancel(context.Background())
	sends := 0
	status, err := st.DeliverOnce(ctx, m, func(context.Context) (string, error) {
		sends++
		stop() // the worker shuts down as SendGrid answers 202
		return store.EmailSent, nil
	})
	require.NoError(t, err)
	require.Equal(t, store.EmailSent, status)

	status, err = st.DeliverOnce(context.Background(), m, func(context.Context) (string, error) {
		sends++
		return store.EmailSent, nil
	})
	require.NoError(t, err)
	require.Equal(t, store.EmailSent, status)
	require.Equal(t, 1, sends, "the retry finds the email sent")
}
