package links

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestASignInTokenIsTheLinksIDSignedWithTheKey(t *testing.T) {
	l := New("https://desk.example.com/", []byte("one key of thirty-two characters!"))
	require.Equal(t, "https://desk.example.com/desk/requests/cr_1", l.Request("cr_1"))
	require.Equal(t, "https://desk.example.com/desk/escalations/esc%2F1", l.Escalation("esc/1"))
	require.True(t, l.Secure())

	token := l.SignInToken("sil_1")
	require.True(t, strings.HasPrefix(l.SignIn("sil_1", ""), "https://desk.example.com/desk/sign-in/link?token=sil_1."))
	require.Contains(t, l.SignIn("sil_1", "/desk/requests/cr_1"), "next=%2Fdesk%2Frequests%2Fcr_1")
	id, ok := l.SignInLinkID(token)
	require.True(t, ok)
	require.Equal(t, "sil_1", id)

	for _, forged := range []string{
		"sil_1",                            // no signature
		"sil_2" + token[len("sil_1"):],     // another link's id under this signature
		token[:len(token)-1] + "A",         // a signature altered
		"sil_1." + l.Sign("csrf", "sil_1"), // a signature made for another purpose
		New("https://desk.example.com", []byte("another key of thirty-two chars!")).SignInToken("sil_1"),
	} {
		_, ok := l.SignInLinkID(forged)
		require.False(t, ok, forged)
	}
	require.False(t, New("http://localhost:8080", nil).Secure())
}
