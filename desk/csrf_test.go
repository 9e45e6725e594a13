package desk_test

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// client is a browser without JavaScript: cookies, and forms posted by hand.
type client struct {
	t    *testing.T
	http *http.Client
	base string
}

func newClient(t *testing.T, svc *testenv.Service) *client {
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	return &client{t: t, base: svc.URL, http: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// signedInClient is a client signed in with the user's API token.
func signedInClient(t *testing.T, svc *testenv.Service, email string) *client {
	c := newClient(t, svc)
	_, page := c.get("/desk/sign-in")
	status, _ := c.post("/desk/sign-in/token", url.Values{"token": {svc.Token(email)}, "csrf": {csrf(t, page)}})
	require.Equal(t, http.StatusSeeOther, status)
	return c
}

func (c *client) get(path string) (int, string) {
	resp, err := c.http.Get(c.base + path)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func (c *client) post(path string, form url.Values) (int, string) {
	resp, err := c.http.PostForm(c.base+path, form)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var csrfInput = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrf is the token the page's forms carry.
func csrf(t *testing.T, page string) string {
	m := csrfInput.FindStringSubmatch(page)
	require.NotNil(t, m, "the page's forms carry a CSRF token")
	return m[1]
}

func TestAFormPostedWithoutItsCSRFTokenIsRefused(t *testing.T) {
	t.Parallel()
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, testenv.Rep, "50000.00")
	c := newClient(t, svc)

	status, page := c.get("/desk/sign-in")
	require.Equal(t, http.StatusOK, status)
	token := csrf(t, page)

	// Signing in: without the token, with another's, then with it.
	status, _ = c.post("/desk/sign-in/token", url.Values{"token": {svc.Token(testenv.Analyst)}})
	require.Equal(t, http.StatusForbidden, status)
	status, _ = c.post("/desk/sign-in/token", url.Values{"token": {svc.Token(testenv.Analyst)}, "csrf": {strings.ToUpper(token)}})
	require.Equal(t, http.StatusForbidden, status)
	status, _ = c.post("/desk/sign-in/token", url.Values{"token": {svc.Token(testenv.Analyst)}, "csrf": {token}})
	require.Equal(t, http.StatusSeeOther, status)

	// Signed in, the session has a token of its own: the visitor's is
	// refused, and so is a decision without any.
	status, page = c.get("/desk/requests/" + r.ID)
	require.Equal(t, http.StatusOK, status)
	sessionToken := csrf(t, page)
	require.NotEqual(t, token, sessionToken)
	decision := url.Values{"outcome": {"approve"}, "approved_limit": {"40000.00"}, "currency": {"EUR"}}
	status, page = c.post("/desk/requests/"+r.ID+"/decision", decision)
	require.Equal(t, http.StatusForbidden, status)
	require.Contains(t, page, "This form did not come from your credit desk page")
	decision.Set("csrf", token)
	status, _ = c.post("/desk/requests/"+r.ID+"/decision", decision)
	require.Equal(t, http.StatusForbidden, status)
	require.Equal(t, credit.StatusPendingReview, readRequest(t, svc, r.ID).Status, "nothing was decided")

	// htmx sends the token as a header.
	req, err := http.NewRequest(http.MethodPost, svc.URL+"/desk/requests/"+r.ID+"/decision", strings.NewReader(decision.Encode()))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-CSRF-Token", sessionToken)
	resp, err := c.http.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusSeeOther, resp.StatusCode)
	require.Equal(t, credit.StatusApproved, readRequest(t, svc, r.ID).Status)

	// Signing out needs the token too.
	status, _ = c.post("/desk/sign-out", nil)
	require.Equal(t, http.StatusForbidden, status)
	status, _ = c.get("/desk/inbox")
	require.Equal(t, http.StatusOK, status, "still signed in")
}
