package links

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func TestAnActionLinkActsOnlyOnWhatItNamesUntilItExpires(t *testing.T) {
	l := New("https://desk.example.com/", []byte("one key of thirty-two characters!"))
	sent := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	tok := ActionToken{ID: ActionTokenID("credit-request/cr_1/received", "usr_1"), UserID: "usr_1",
		Action: ActionDecideRequest, Object: "cr_1", Expires: sent.Add(ActionLinkLasts)}
	signed := l.ActionTokenString(tok)

	link, err := url.Parse(l.Action(tok))
	require.NoError(t, err)
	require.Equal(t, "/desk/requests/cr_1/link", link.Path)
	require.Equal(t, signed, link.Query().Get("token"))
	require.Equal(t, "/desk/escalations/esc_1/link", ActionPath(ActionAcknowledgeEscalation, "esc_1"))

	got, err := l.VerifyAction(signed, ActionDecideRequest, "cr_1", sent.Add(ActionLinkLasts-time.Second))
	require.NoError(t, err)
	require.Equal(t, tok, got)

	_, err = l.VerifyAction(signed, ActionDecideRequest, "cr_1", sent.Add(ActionLinkLasts))
	require.ErrorIs(t, err, ErrActionLinkExpired, "seven days after it was sent")

	payload, mac, _ := strings.Cut(signed, ".")
	other := tok
	other.UserID = "usr_2"
	otherPayload, _, _ := strings.Cut(l.ActionTokenString(other), ".")
	for name, c := range map[string]struct {
		token, action, object string
	}{
		"another request":                   {signed, ActionDecideRequest, "cr_2"},
		"another action":                    {signed, ActionAcknowledgeEscalation, "cr_1"},
		"no signature":                      {payload, ActionDecideRequest, "cr_1"},
		"a signature altered":               {signed[:len(signed)-1] + flip(signed[len(signed)-1]), ActionDecideRequest, "cr_1"},
		"another user under its mac":        {otherPayload + "." + mac, ActionDecideRequest, "cr_1"},
		"signed for another purpose":        {payload + "." + l.Sign("csrf", payload), ActionDecideRequest, "cr_1"},
		"signed with another key":           {New("https://desk.example.com", []byte("another key of thirty-two chars!")).ActionTokenString(tok), ActionDecideRequest, "cr_1"},
		"a sign-in token":                   {l.SignInToken("sil_1"), ActionDecideRequest, "cr_1"},
		"a signed payload that is no token": {"e30." + l.Sign("action", "e30"), ActionDecideRequest, "cr_1"}, // {}
		"empty":                             {"", ActionDecideRequest, "cr_1"},
	} {
		_, err := l.VerifyAction(c.token, c.action, c.object, sent)
		require.ErrorIs(t, err, ErrActionLinkForged, name)
	}
}

func TestEachEmailAndRecipientHasItsOwnActionTokenID(t *testing.T) {
	a := ActionTokenID("credit-request/cr_1/received", "usr_1")
	require.Equal(t, a, ActionTokenID("credit-request/cr_1/received", "usr_1"), "a retried email carries the same link")
	require.NotEqual(t, a, ActionTokenID("credit-request/cr_1/received", "usr_2"))
	require.NotEqual(t, a, ActionTokenID("credit-request/cr_1/review-reminder", "usr_1"))
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}
