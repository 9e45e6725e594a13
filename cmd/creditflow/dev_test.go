package main

import (
	"bytes"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/testenv"
)

// output is a process's stdout or stderr, read while it runs.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) { o.mu.Lock(); defer o.mu.Unlock(); return o.b.Write(p) }
func (o *output) String() string              { o.mu.Lock(); defer o.mu.Unlock(); return o.b.String() }

// TestDevSaysWhereTheDeskIsAndLogsTheSignInLink runs `creditflow dev` as
// a newcomer does, without SendGrid: it prints where the desk is and how
// to sign in, and a sign-in link asked for on the desk is in its log.
func TestDevSaysWhereTheDeskIsAndLogsTheSignInLink(t *testing.T) {
	dbURL, _ := testenv.Database(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	base := "http://" + addr

	cmd := exec.Command(testenv.FaultBinary(t), "dev")
	cmd.Env = append(os.Environ(), "DATABASE_URL="+dbURL, "TEMPORAL_ADDRESS="+testenv.TemporalAddress(t),
		"TEMPORAL_TASK_QUEUE=dev-test-"+strings.ToLower(t.Name()[len(t.Name())-8:]), "CREDITFLOW_HTTP_ADDR="+addr,
		"CREDITFLOW_BASE_URL="+base, "SENDGRID_API_KEY=", "CREDITFLOW_METRICS_ADDR=")
	var stdout, stderr output
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })

	testenv.Eventually(t, 60*time.Second, "dev to answer", func() bool {
		resp, err := http.Get(base + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	require.Contains(t, stdout.String(), "The credit desk: "+base+"/desk/")
	require.Contains(t, stdout.String(), "SENDGRID_API_KEY is unset, so it is not sent")

	// Ask for a link on the desk, as a person would.
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.Get(base + "/desk/sign-in")
	require.NoError(t, err)
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	token := regexp.MustCompile(`name="csrf" value="([^"]+)"`).FindStringSubmatch(string(page))
	require.NotNil(t, token, string(page))
	resp, err = c.PostForm(base+"/desk/sign-in/email", url.Values{"csrf": {token[1]}, "email": {"rep@example.com"}})
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)

	var link string
	testenv.Eventually(t, 30*time.Second, "the sign-in link in dev's log", func() bool {
		m := regexp.MustCompile(`sign_in_url="?(http://[^"\s]+)`).FindStringSubmatch(stderr.String())
		if m != nil {
			link = m[1]
		}
		return link != ""
	})
	require.True(t, strings.HasPrefix(link, base+"/desk/sign-in/link?token="), link)
	resp, err = c.Get(link)
	require.NoError(t, err)
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	require.Contains(t, string(page), "Sign in as rep@example.com")

	// The outbox command it printed answers with that email.
	printed := regexp.MustCompile(`curl -s '([^']+/api/v1/emails\?kind=sign_in[^']*)' -H 'Authorization: Bearer ([^']+)'`).FindStringSubmatch(stdout.String())
	require.NotNil(t, printed, stdout.String())
	req, err := http.NewRequest(http.MethodGet, printed[1], nil)
	require.NoError(t, err)
	req.Header.Set("Authorization", "Bearer "+printed[2])
	resp, err = http.DefaultClient.Do(req)
	require.NoError(t, err)
	outbox, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode, string(outbox))
	require.Contains(t, string(outbox), `"kind":"sign_in"`)
}
