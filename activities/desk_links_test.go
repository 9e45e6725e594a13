package activities_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/testsuite"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

var deskLinks = links.New("https://desk.example.com/", []byte("a key of thirty-two characters, at least"))

func signInEmail(linkID string) workflows.Email {
	return workflows.Email{Key: workflows.SignInWorkflowID(linkID), Kind: email.KindSignIn, To: []string{"rep@example.com"},
		Facts: map[string]string{"Name": "Riley Rep", "Email": "rep@example.com", "ValidMinutes": "15"},
		IDs:   map[string]string{workflows.SignInLinkIDArg: linkID}}
}

// sendLogged is send, with the activity's log kept.
func sendLogged(t *testing.T, a *activities.Activities, e workflows.Email) string {
	t.Helper()
	var buf bytes.Buffer
	var s testsuite.WorkflowTestSuite
	s.SetLogger(sdklog.NewStructuredLogger(slog.New(slog.NewTextHandler(&buf, nil))))
	env := s.NewTestActivityEnvironment()
	env.RegisterActivity(a)
	_, err := env.ExecuteActivity(a.SendEmail, e)
	require.NoError(t, err)
	return buf.String()
}

func TestEmailsThatAskToActLinkIntoTheDesk(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com", Links: deskLinks}

	received := decidedEmail("credit-request/cr_1/received")
	received.Kind = email.KindRequestReceived
	_, err := send(t, a, received)
	require.NoError(t, err)
	escalation := workflows.Email{Key: "escalation/esc_1/sent", Kind: email.KindSalesEscalation, To: []string{"rep@example.com"},
		Facts: map[string]string{"AccountName": "Acme"}, IDs: map[string]string{"escalation_id": "esc_1"}}
	_, err = send(t, a, escalation)
	require.NoError(t, err)
	_, err = send(t, a, decidedEmail("credit-request/cr_1/decided"))
	require.NoError(t, err)

	require.Contains(t, sg.OfKind(email.KindRequestReceived)[0].Text(), "Open it in the credit desk to decide: https://desk.example.com/desk/requests/cr_1")
	require.Contains(t, sg.OfKind(email.KindSalesEscalation)[0].Text(), "in the credit desk: https://desk.example.com/desk/escalations/esc_1")
	require.NotContains(t, sg.OfKind(email.KindRequestDecided)[0].Text(), "/desk/", "the decision asks nobody to act")
}

func TestEachReaderOfAReviewEmailGetsTheirOwnActionLink(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com", Links: deskLinks,
		CreditTeam: "credit-team@example.com"}
	ctx := context.Background()
	ada, err := st.CreateUser(ctx, credit.User{Email: "ada@example.com", Name: "Ada Analyst", Role: credit.RoleCredit}, store.NewToken())
	require.NoError(t, err)
	jo, err := st.CreateUser(ctx, credit.User{Email: "jo@example.com", Name: "Jo Junior", Role: credit.RoleCredit}, store.NewToken())
	require.NoError(t, err)
	_, err = st.DisableUser(ctx, jo.Email)
	require.NoError(t, err)

	received := decidedEmail("credit-request/cr_1/received")
	received.Kind, received.To, received.Audience = email.KindRequestReceived, []string{ada.Email, jo.Email}, workflows.AudienceCreditTeam
	_, err = send(t, a, received)
	require.NoError(t, err)

	mail := sg.OfKind(email.KindRequestReceived)[0]
	require.ElementsMatch(t, []string{ada.Email, jo.Email, "credit-team@example.com"}, mail.To())
	plain := deskLinks.Request("cr_1")
	link := regexp.MustCompile(`decide: (\S+)`).FindStringSubmatch(mail.TextTo(ada.Email))[1]
	u, err := url.Parse(link)
	require.NoError(t, err)
	require.Equal(t, "/desk/requests/cr_1/link", u.Path)
	tok, err := deskLinks.VerifyAction(u.Query().Get("token"), links.ActionDecideRequest, "cr_1", time.Now())
	require.NoError(t, err)
	require.Equal(t, ada.ID, tok.UserID, "Ada's link acts as Ada")
	require.WithinDuration(t, time.Now().Add(7*24*time.Hour), tok.Expires, time.Minute)

	require.Contains(t, mail.TextTo("credit-team@example.com"), "decide: "+plain+"\n", "a shared mailbox is nobody: its readers sign in")
	require.Contains(t, mail.TextTo(jo.Email), "decide: "+plain+"\n", "a disabled user's email acts for nobody")
	rows := outbox(t, st, email.KindRequestReceived)
	require.Contains(t, rows[0].Text, "decide: "+plain+"\n")
	require.NotContains(t, rows[0].Text+rows[0].HTML, "token=", "an action link is sent, never kept")
	require.NotContains(t, rows[0].HTML, "-creditflow-action-link-")
}

func TestASignInLinkIsSentButNeverKept(t *testing.T) {
	_, st := testenv.Database(t)
	sg := testenv.NewFakeSendGrid(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), Mail: sendgrid.New("SG.key", sg.URL), From: "credit@example.com", Links: deskLinks}

	log := sendLogged(t, a, signInEmail("sil_1"))
	link := deskLinks.SignIn("sil_1", "")
	require.Contains(t, sg.OfKind(email.KindSignIn)[0].Text(), link)
	rows := outbox(t, st, email.KindSignIn)
	require.Len(t, rows, 1)
	for _, kept := range []string{rows[0].Text, rows[0].HTML, log} {
		require.NotContains(t, kept, deskLinks.SignInToken("sil_1"))
	}
	require.Contains(t, rows[0].Text, "(withheld: a sign-in link is sent, never kept)")
}

func TestWithoutSendGridTheSignInLinkIsLoggedForTheDeveloper(t *testing.T) {
	_, st := testenv.Database(t)
	a := &activities.Activities{Store: st, Policy: policy.Default(), From: "credit@example.com", Links: deskLinks}
	log := sendLogged(t, a, signInEmail("sil_2"))
	link := deskLinks.SignIn("sil_2", "")
	require.Contains(t, log, `sign_in_url="`+link+`"`)
	rows := outbox(t, st, email.KindSignIn)
	require.Equal(t, store.EmailLogged, rows[0].Status)
	require.True(t, strings.Contains(rows[0].Text, link), "nobody receives it: the outbox keeps the link")
}
