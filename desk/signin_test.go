package desk_test

import (
	"context"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp/kb"
	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

func TestAnalystSignsInWithTheirAPITokenAndOut(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	b := openBrowser(t, svc)

	b.visit("/desk/inbox")
	b.seePage("Sign in")
	b.typeInto("API token", svc.Token(testenv.Analyst)+kb.Enter)
	b.seePage("Inbox")
	b.see("Nothing waits for a decision.")

	b.press("Sign out")
	b.seePage("Sign in")
	b.see("You are signed out.")
	b.visit("/desk/inbox")
	b.seePage("Sign in")
}

func TestAWrongTokenIsSaidSoNextToTheField(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	b := openBrowser(t, svc)
	b.visit("/desk/sign-in")
	b.typeInto("API token", "cft_not-a-token"+kb.Enter)
	b.see("This is not the token of an active Creditflow user.")
}

// signInLink is the link of the latest sign_in email to a user, as the
// fake SendGrid received it.
func signInLink(t *testing.T, svc *testenv.Service, to string, n int) string {
	t.Helper()
	var text string
	testenv.Eventually(t, 20*time.Second, "the sign_in email", func() bool {
		var mine []string
		for _, m := range svc.SendGrid.OfKind("sign_in") {
			if len(m.To()) == 1 && m.To()[0] == to {
				mine = append(mine, m.Text())
			}
		}
		if len(mine) < n {
			return false
		}
		text = mine[n-1]
		return true
	})
	link := regexp.MustCompile(`http://\S+/desk/sign-in/link\?\S+`).FindString(text)
	require.NotEmpty(t, link, "the email carries the link:\n%s", text)
	return link
}

func TestRepSignsInByTheEmailedLinkOnce(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	b := openBrowser(t, svc)

	b.visit("/desk/escalations")
	b.seePage("Sign in")
	b.typeInto("Your work email", "Rep@Example.com")
	b.press("Email me a sign-in link")
	b.see("If rep@example.com belongs to a Creditflow user, a sign-in link is on its way to it.")
	link := signInLink(t, svc, testenv.Rep, 1)
	require.True(t, strings.HasPrefix(link, svc.URL+"/desk/sign-in/link?"), link)

	// A mail scanner fetches the link first: that signs nobody in and
	// spends nothing.
	resp, err := http.Get(link)
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(page), "Sign in as rep@example.com")

	b.visit(link)
	b.seePage("Sign in")
	b.press("Sign in as rep@example.com")
	b.seePage("Escalations waiting for you") // where they were going

	// The same link again, in another window: refused.
	other := openBrowser(t, svc)
	other.visit(link)
	other.seePage("This sign-in link does not work any more")

	// The outbox keeps the email, not the link: admins read the outbox.
	emails, _, err := svc.Store.Emails(context.Background(), store.EmailFilter{Kind: "sign_in"}, 0, 10)
	require.NoError(t, err)
	require.Len(t, emails, 1)
	token, _ := url.ParseQuery(strings.SplitN(link, "?", 2)[1])
	require.NotContains(t, emails[0].Text, token.Get("token"))
	require.Contains(t, emails[0].Text, "withheld")

	// The workflow that sent it knows the link's id, never its token.
	linkID := svc.SendGrid.OfKind("sign_in")[0].CustomArgs[workflows.SignInLinkIDArg]
	require.True(t, strings.HasPrefix(token.Get("token"), linkID+"."), "the token is the id and its signature")
	run := svc.Temporal.GetWorkflow(context.Background(), workflows.SignInWorkflowID(linkID), "")
	require.NoError(t, run.Get(context.Background(), nil))
	history := svc.Temporal.GetWorkflowHistory(context.Background(), workflows.SignInWorkflowID(linkID), "", false, 0)
	for history.HasNext() {
		event, err := history.Next()
		require.NoError(t, err)
		require.NotContains(t, event.String(), token.Get("token")[len(linkID)+1:])
	}
	if testenv.RecordHistories {
		testenv.SaveHistory(t, svc.Temporal, workflows.SignInWorkflowID(linkID), "sign_in_email")
	}
}

func TestAnUnknownAddressGetsTheSameAnswerAndNoEmail(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	b := openBrowser(t, svc)
	b.visit("/desk/sign-in")
	b.typeInto("Your work email", "nobody@example.com")
	b.press("Email me a sign-in link")
	b.see("If nobody@example.com belongs to a Creditflow user, a sign-in link is on its way to it.")

	// A user's address, for comparison: its email arrives, and none to nobody.
	b.replace("Your work email", testenv.Analyst)
	b.press("Email me a sign-in link")
	b.see("If " + testenv.Analyst + " belongs to a Creditflow user")
	signInLink(t, svc, testenv.Analyst, 1)
	for _, m := range svc.SendGrid.OfKind("sign_in") {
		require.Equal(t, []string{testenv.Analyst}, m.To())
	}
}

func TestAnExpiredSignInLinkIsRefused(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	b := openBrowser(t, svc)
	b.visit("/desk/sign-in")
	b.typeInto("Your work email", testenv.Rep)
	b.press("Email me a sign-in link")
	link := signInLink(t, svc, testenv.Rep, 1)

	// The link was made for 15 minutes, on Postgres's clock.
	var lasts time.Duration
	require.NoError(t, svc.Store.Pool.QueryRow(context.Background(),
		`SELECT extract(epoch FROM expires_at - created_at)::bigint * 1000000000 FROM sign_in_links`).Scan(&lasts))
	require.Equal(t, 15*time.Minute, lasts)

	b.visit(link)
	b.seePage("Sign in") // the confirmation page, while it lives
	// Fifteen minutes later, the button no longer signs in.
	_, err := svc.Store.Pool.Exec(context.Background(), `UPDATE sign_in_links SET expires_at = now() - interval '1 second'`)
	require.NoError(t, err)
	b.press("Sign in as " + testenv.Rep)
	b.seePage("This sign-in link does not work any more")
	b.visit("/desk/requests")
	b.seePage("Sign in")
}
