package activities_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

func reminderEmail(key string) workflows.Email {
	return workflows.Email{Key: key, Kind: email.KindInvoiceReminder, To: []string{"ap@customer.example"},
		Facts: map[string]string{"InvoiceNumber": "2025-0001", "AccountName": "Acme"},
		IDs:   map[string]string{"invoice_id": "inv_1"}}
}

// The reminder promises the pause a reply brings only where Inbound Parse
// is configured and carries the address that brings the reply back;
// without it, neither the address nor the promise.
func TestTheReminderPromisesOnlyWhatTheServiceDoes(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com"}

	_, err := send(t, a, reminderEmail("invoice/inv_1/day-31-reminder"))
	require.NoError(t, err)
	plain := sg.Accepted()[0]
	require.Empty(t, plain.ReplyTo.Email)
	require.NotContains(t, plain.Text(), "pause")
	require.Contains(t, plain.Text(), "reply and tell us why, and we will look into it")

	a.Replies = email.NewReplyAddresses("a-secret-of-sixteen-chars", "reply.example.com")
	_, err = send(t, a, reminderEmail("invoice/inv_1/day-37-second_reminder"))
	require.NoError(t, err)
	replied := sg.Accepted()[1]
	require.True(t, strings.HasPrefix(replied.ReplyTo.Email, "reply+"), replied.ReplyTo.Email)
	require.Contains(t, replied.Text(), "we will pause our reminders until our credit team has read your answer (for up to 5 days)")
	ref, ok := a.Replies.Verify([]string{replied.ReplyTo.Email})
	require.True(t, ok)
	e, err := st.EmailByReplyRef(t.Context(), ref)
	require.NoError(t, err)
	require.Equal(t, "invoice/inv_1/day-37-second_reminder", e.Key, "the token names the email it answers")
}
