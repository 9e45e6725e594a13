package sendgrid_test

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/testenv"
)

// TestOnlyARefusedRecipientIsForGood: what each answer of SendGrid
// becomes. Only a 400 naming a recipient's address is the recipient's
// (RejectedError, for good); the rest is retried, and 401/403 mark the key
// refused until the next accepted email.
func TestOnlyARefusedRecipientIsForGood(t *testing.T) {
	msg := email.Message{Key: "k", Kind: email.KindRequestDecided, From: "credit@example.com", To: []string{"rep@example.com"},
		Subject: "s", Text: "t", HTML: "<p>h</p>"}
	for _, c := range []struct {
		status  int
		address bool // the 400 names personalizations.0.to.0.email
		want    any  // the error's type; nil: a plain error
		keyDown bool
	}{
		{status: http.StatusBadRequest, address: true, want: &email.RejectedError{}},
		{status: http.StatusBadRequest, want: &email.RefusedError{}},
		{status: http.StatusRequestEntityTooLarge, want: &email.RefusedError{}},
		{status: http.StatusUnauthorized, want: &email.KeyRejectedError{}, keyDown: true},
		{status: http.StatusForbidden, want: &email.KeyRejectedError{}, keyDown: true},
		{status: http.StatusTooManyRequests},
		{status: http.StatusBadGateway},
	} {
		name := strconv.Itoa(c.status)
		if c.address {
			name += " naming the recipient"
		}
		t.Run(name, func(t *testing.T) {
			sg := testenv.NewFakeSendGrid(t)
			s := sendgrid.New("SG.key", sg.URL)
			s.Key = &email.KeyStatus{}
			refused := 0
			s.Refusals = func(int) { refused++ }
			if c.address {
				sg.RejectAddressNext()
			} else {
				sg.FailNext(c.status)
			}
			err := s.Send(context.Background(), msg)
			require.Error(t, err)
			var rejected *email.RejectedError
			var key *email.KeyRejectedError
			var ours *email.RefusedError
			switch c.want.(type) {
			case *email.RejectedError:
				require.True(t, errors.As(err, &rejected), "%v", err)
			case *email.KeyRejectedError:
				require.True(t, errors.As(err, &key), "%v", err)
			case *email.RefusedError:
				require.True(t, errors.As(err, &ours), "%v", err)
				require.Equal(t, 1, refused, "counted")
			default:
				require.False(t, errors.As(err, &rejected) || errors.As(err, &key) || errors.As(err, &ours), "%v", err)
			}
			if c.status != http.StatusBadRequest || !c.address {
				require.False(t, errors.As(err, &rejected), "never the recipient's fault")
			}
			require.Equal(t, c.keyDown, s.Key.Problem() != "", s.Key.Problem())

			require.NoError(t, s.Send(context.Background(), msg))
			require.Empty(t, s.Key.Problem(), "an accepted email ends the outage")
		})
	}
}

// TestEachRecipientReadsTheirOwnLink: with PerRecipient, each address is
// its own personalization, with its own substitutions, and sees no other.
func TestEachRecipientReadsTheirOwnLink(t *testing.T) {
	sg := testenv.NewFakeSendGrid(t)
	msg := email.Message{Key: "k", Kind: email.KindRequestReceived, From: "credit@example.com",
		To: []string{"ada@example.com", "jo@example.com"}, Subject: "s", Text: "decide: -link-", HTML: "<p>h</p>",
		PerRecipient: map[string]map[string]string{"ada@example.com": {"-link-": "https://a"}, "jo@example.com": {"-link-": "https://j"}}}
	require.NoError(t, sendgrid.New("SG.key", sg.URL).Send(context.Background(), msg))
	m := sg.Accepted()[0]
	require.Len(t, m.Personalizations, 2)
	require.Equal(t, []string{"ada@example.com", "jo@example.com"}, m.To())
	require.Equal(t, "decide: https://a", m.TextTo("ada@example.com"))
	require.Equal(t, "decide: https://j", m.TextTo("jo@example.com"))
}
