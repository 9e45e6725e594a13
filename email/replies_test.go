package email

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestReplyAddressesNameTheirEmailAndCannotBeForged(t *testing.T) {
	r := NewReplyAddresses("a-secret-of-sixteen-chars", "Reply.Example.com")
	addr := r.Address("invoice/inv_1/day-31-reminder")
	local, domain, _ := strings.Cut(addr, "@")
	require.Equal(t, "reply.example.com", domain)
	require.LessOrEqual(t, len(local), 64, "a local part has at most 64 characters")
	require.Equal(t, strings.ToLower(addr), addr)

	ref, ok := r.Verify([]string{"someone@else.example", strings.ToUpper(addr)})
	require.True(t, ok, "a mail server that changes the case does not break it")
	require.Equal(t, Ref("invoice/inv_1/day-31-reminder"), ref)

	other := NewReplyAddresses("another-secret-of-sixteen", "reply.example.com")
	for _, forged := range []string{
		other.Address("invoice/inv_1/day-31-reminder"),                                      // signed with another key
		"reply+" + Ref("invoice/inv_2/day-31-reminder") + local[22:] + "@reply.example.com", // another email's name, this one's signature
		strings.Replace(addr, "reply.example.com", "evil.example", 1),                       // another domain
		"reply+short@reply.example.com",
		"",
	} {
		_, ok := r.Verify([]string{forged})
		require.False(t, ok, forged)
	}
}

func TestCustomerTemplatesPromiseThePauseOnlyWhenRepliesAreRead(t *testing.T) {
	for _, kind := range []string{KindInvoiceReminder, KindCourtesyNotice} {
		_, text, html, err := Render(kind, map[string]string{})
		require.NoError(t, err)
		for _, body := range []string{text, html} {
			require.NotContains(t, body, "pause", kind)
			require.NotContains(t, body, "wait until", kind)
		}
		_, text, html, err = Render(kind, map[string]string{"ReplyPauseDays": "5"})
		require.NoError(t, err)
		for _, body := range []string{text, html} {
			require.Contains(t, body, "until our credit team has read your answer (for up to 5 days)", kind)
		}
	}
}
