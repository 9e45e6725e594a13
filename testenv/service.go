package testenv

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/config"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/desk"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/email/sendgrid"
	"github.com/creditflow/creditflow/links"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/worker"
)

// Users every Service has, by email. The analyst with a limit may approve
// at most 50,000; the other analyst has the default 100,000.
const (
	Rep             = "rep@example.com"
	OtherRep        = "rep2@example.com"
	SalesManager    = "sales.manager@example.com"
	Analyst         = "analyst@example.com"
	LimitedAnalyst  = "junior.analyst@example.com"
	CreditManager   = "credit.manager@example.com"
	Admin           = "admin@example.com"
	LimitedApproval = 50000
)

// Options tune a Service.
type Options struct {
	// Day is CREDITFLOW_DAY; default 24h (time-skipping is for unit tests,
	// so end-to-end tests use a short day).
	Day time.Duration
	// Policy overrides the default policy.
	Policy *policy.Policy
	// DevServer runs the Service on a dev server of the test's own (one
	// it may freeze or restart) instead of the package's shared one.
	DevServer *DevServer
	// RequestTimeout is the API's deadline (zero: the API's default).
	RequestTimeout time.Duration
	// Webhooks configures SendGrid's two webhooks (a test key pair, an
	// inbound secret and domain): Service.Webhooks signs and posts as
	// SendGrid does.
	Webhooks bool
	// ImportStartsPerSecond paces imports (zero: the API's default).
	ImportStartsPerSecond int
}

// Service is Creditflow running for one test: its own database, its own
// task queue on the shared dev server, a fake SendGrid and the API.
type Service struct {
	URL         string
	DatabaseURL string
	Store       *store.Store
	Temporal    client.Client
	SendGrid    *FakeSendGrid
	TaskQueue   string
	// Webhooks is SendGrid's side of the webhooks (nil unless asked for).
	Webhooks *Webhooks
	// Links are the credit desk's links at URL, as emails carry them.
	Links  *links.Links
	tokens map[string]string
	// temporalAddress is the dev server's frontend.
	temporalAddress string

	activities *activities.Activities
	worker     *worker.Lanes
}

// StartWorker starts a worker on the Service's task queue, every lane.
func (s *Service) StartWorker(t testing.TB) {
	t.Helper()
	// Sized to the pool as `creditflow worker` is: with the SDK's 1,000
	// local activities an import's plans hold every connection, and the
	// interactive lane waits for one behind them.
	limits := worker.LimitsFor(config.DefaultWorkerActivities, int(s.Store.Pool.Config().MaxConns))
	s.worker = worker.NewLanes(s.Temporal, s.TaskQueue, s.activities, limits, worker.AllLanes...)
	if err := s.worker.Start(); err != nil {
		t.Fatalf("start worker: %v", err)
	}
}

// StopWorker stops the worker, as a deployment or a crash would.
func (s *Service) StopWorker() {
	if s.worker != nil {
		s.worker.Stop()
		s.worker = nil
	}
}

// StartService runs the worker and the API until the test ends.
func StartService(t testing.TB, opts Options) *Service {
	t.Helper()
	dbURL, st := Database(t)
	var tc client.Client
	var address string
	if opts.DevServer != nil {
		tc, address = opts.DevServer.Client(t), opts.DevServer.Address
	} else {
		tc, address = Temporal(t), TemporalAddress(t)
	}
	if opts.Day == 0 {
		opts.Day = 24 * time.Hour
	}
	pol := policy.Default()
	if opts.Policy != nil {
		pol = *opts.Policy
	}
	s := &Service{DatabaseURL: dbURL, Store: st, Temporal: tc, temporalAddress: address, SendGrid: NewFakeSendGrid(t), TaskQueue: "creditflow-test-" + strings.ToLower(rand.Text()[:8])}

	// The desk's links name the API's address, so the server is set up
	// before the worker that writes them into emails.
	srv := httptest.NewUnstartedServer(nil)
	s.URL = "http://" + srv.Listener.Addr().String()
	secret, err := st.LinkSecret(context.Background())
	if err != nil {
		t.Fatalf("link secret: %v", err)
	}
	s.Links = links.New(s.URL, secret)
	s.activities = &activities.Activities{
		Store:  st,
		Policy: pol,
		Day:    opts.Day,
		Mail:   sendgrid.New("SG.test-key", s.SendGrid.URL),
		From:   "credit@example.com",
		// The periodic review starts its requests on this task queue.
		Temporal:  tc,
		TaskQueue: s.TaskQueue,
		Links:     s.Links,
	}
	server := &api.Server{Store: st, Temporal: tc, TaskQueue: s.TaskQueue, Logger: Logger(),
		RequestTimeout: opts.RequestTimeout, Review: pol.PeriodicReview, Scoring: pol.Scoring, Day: opts.Day,
		ImportStartsPerSecond: opts.ImportStartsPerSecond}
	if opts.Webhooks {
		s.Webhooks = newWebhooks(t)
		s.activities.Replies = email.NewReplyAddresses(s.Webhooks.InboundSecret, s.Webhooks.InboundDomain)
		server.EventWebhookKey, server.InboundSecret = &s.Webhooks.Key.PublicKey, s.Webhooks.InboundSecret
	}
	handler := server.Handler()
	(&desk.Desk{Store: st, Temporal: tc, TaskQueue: s.TaskQueue, Links: s.Links, Logger: Logger(),
		Review: pol.Review, Day: opts.Day}).Mount(handler)
	srv.Config.Handler = handler
	srv.Start()
	t.Cleanup(srv.Close)
	s.StartWorker(t)
	t.Cleanup(func() { s.StopWorker() })

	limited := int64(LimitedApproval)
	s.tokens = map[string]string{}
	for _, u := range []credit.User{
		{Email: Rep, Role: credit.RoleSales, Name: "Riley Rep", ManagerEmail: SalesManager},
		{Email: OtherRep, Role: credit.RoleSales, Name: "Robin Rep"},
		{Email: SalesManager, Role: credit.RoleSales, Name: "Sam Sales-Manager"},
		{Email: Analyst, Role: credit.RoleCredit, Name: "Ada Analyst"},
		{Email: LimitedAnalyst, Role: credit.RoleCredit, Name: "Jo Junior", ApprovalLimit: &limited},
		{Email: CreditManager, Role: credit.RoleCreditManager, Name: "Cleo Credit-Manager"},
		{Email: Admin, Role: credit.RoleAdmin, Name: "Alex Admin"},
	} {
		token := store.NewToken()
		if _, err := st.CreateUser(context.Background(), u, token); err != nil {
			t.Fatalf("create user %s: %v", u.Email, err)
		}
		s.tokens[u.Email] = token
	}
	return s
}

// Token is the bearer token of one of the Service's users.
func (s *Service) Token(email string) string { return s.tokens[email] }

// Response is an API answer.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body.
func (r Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r.Body, err)
	}
}

// Map decodes the body into a map, for quick looks.
func (r Response) Map(t testing.TB) map[string]any {
	var m map[string]any
	r.JSON(t, &m)
	return m
}

// Call sends an API request as a user ("" sends no token). body may be a
// string (sent as is) or a value (sent as JSON).
func (s *Service) Call(t testing.TB, method, path, asUser string, body any, headers ...string) Response {
	t.Helper()
	resp, err := s.Try(method, path, asUser, body, headers...)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	return resp
}

// Try is Call for a request that may get no answer (the API dies).
func (s *Service) Try(method, path, asUser string, body any, headers ...string) (Response, error) {
	var reader io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		reader = strings.NewReader(b)
	case []byte:
		reader = bytes.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			return Response{}, fmt.Errorf("encode body: %w", err)
		}
		reader = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, s.URL+path, reader)
	if err != nil {
		return Response{}, err
	}
	if reader != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if asUser != "" {
		token, ok := s.tokens[asUser]
		if !ok {
			token = asUser // a raw token, for the 401 tests
		}
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Response{}, err
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: b}, nil
}

// Eventually polls cond until it holds or the timeout passes.
func Eventually(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out after %s waiting for %s", timeout, what)
}
