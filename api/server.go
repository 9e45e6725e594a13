// Package api is Creditflow's HTTP API. The OpenAPI document
// (openapi.yaml) is its source: `go generate` writes the routes, the
// request types and the strict server interface (openapi.gen.go); the
// document's x-roles say who may call each operation; a validator checks
// every request against it. The handlers, one file per concern, are thin:
// they check what the document cannot say, then start a workflow, send it
// an update or read the store.
package api

//go:generate go tool -modfile=../tools/go.mod oapi-codegen -config oapi-codegen.yaml openapi.yaml

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/subtle"
	_ "embed"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
)

//go:embed openapi.yaml
var openAPI []byte

// Server serves the API.
type Server struct {
	Store     *store.Store
	Temporal  client.Client
	TaskQueue string
	Logger    *slog.Logger
	// Metrics serves GET /metrics (Prometheus) to callers who send
	// MetricsToken as their bearer token; either unset: not served.
	Metrics      http.Handler
	MetricsToken string
	// RequestTimeout bounds a request's wait for Postgres and Temporal
	// (zero: 15 seconds); past it the answer is 503 with Retry-After.
	RequestTimeout time.Duration
	// SendGridKey is this process's view of SendGrid accepting our API
	// key. It sees an outage only where this process also sends email
	// (creditflow dev); an API process of its own reports none, and the
	// worker's metrics carry it. Nil: not checked.
	SendGridKey interface{ Problem() string }
	// Now is the wall clock; tests may fix it.
	Now func() time.Time
	// Review and Day date a customer's next periodic review as the worker
	// does (its policy, CREDITFLOW_DAY); unset: the default policy's and 24h.
	Review policy.PeriodicReview
	Day    time.Duration
	// Scoring is the worker's scorecard (its policy file), with which a
	// preview scores a pre-approval; unset: the default policy's.
	Scoring policy.Scoring
	// EventWebhookKey verifies SendGrid's Event Webhook
	// (SENDGRID_WEBHOOK_PUBLIC_KEY); nil: the endpoint answers 404.
	EventWebhookKey *ecdsa.PublicKey
	// InboundSecret is the secret in Inbound Parse's URL
	// (CREDITFLOW_INBOUND_SECRET); empty: the endpoint answers 404.
	InboundSecret string
	// ImportStartsPerSecond bounds the workflow starts of this process's
	// imports (zero: config.DefaultImportStartsPerSecond); see import_pacing.go.
	ImportStartsPerSecond int
	importPace            importPace
}

// handlers implements the generated StrictServerInterface. It is the
// Server under another name, so that the operation Metrics and the field
// Metrics do not meet.
type handlers struct{ *Server }

var _ StrictServerInterface = handlers{}

// Handler builds the Echo router from the API document.
func (s *Server) Handler() *echo.Echo {
	if s.Now == nil {
		s.Now = time.Now
	}
	e := echo.New()
	e.HideBanner = true
	e.HidePort = true
	e.HTTPErrorHandler = s.errorHandler
	e.Use(middleware.Recover())
	e.Use(middleware.RequestID())
	e.Use(s.accessLog)
	e.Use(s.operations())
	RegisterHandlers(e, NewStrictHandler(handlers{s}, nil))
	// The one operation excluded from generation: it streams its body.
	e.POST("/api/v1/invoices/import", handlers{s}.importInvoices)
	// SendGrid's webhooks read their own bodies (webhooks.go).
	e.POST(eventsPath, handlers{s}.sendgridEvents)
	e.POST(inboundPath, handlers{s}.sendgridInbound)
	// Unknown paths under /api/v1 ask for a token (401) before they are
	// not found: without one, nobody learns which paths exist.
	e.Group("/api/v1", s.authenticate)
	return e
}

// operations runs, before each operation of the document, in this order:
// authentication (401) and the x-roles check (403) before anything reads
// the body; the Idempotency-Key replay; the body's framing (413/415/400);
// the validator (400/404/422). Echo has routed the request already, so
// the route's path finds the operation.
func (s *Server) operations() echo.MiddlewareFunc {
	doc := spec()
	validate := validator(doc)
	chains := map[string][]echo.MiddlewareFunc{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			// Memory is bounded by the route, not by the caller: nobody
			// reads a body before the caller's role is checked, and then
			// only up to the operation's own limit.
			var chain []echo.MiddlewareFunc
			if strings.HasPrefix(path, "/webhooks/") {
				// Their own authentication, their own body limits (webhooks.go).
				chains[method+" "+echoPath(path)] = []echo.MiddlewareFunc{s.withDeadline}
				continue
			}
			if !strings.HasSuffix(path, "/invoices/import") {
				chain = append(chain, s.withDeadline)
			}
			if needsToken(doc, op) {
				chain = append(chain, s.authenticate, requireRoles(op), plainText)
			}
			if op.RequestBody != nil {
				chain = append(chain, jsonBody(op.RequestBody.Value))
			}
			if needsToken(doc, op) {
				chain = append(chain, s.idempotent(createsNothing(op)))
			}
			if !strings.HasSuffix(path, "/invoices/import") {
				// The import validates each line on its own (import.go),
				// so that one bad line never loses the good ones.
				chain = append(chain, validate)
			}
			chains[method+" "+echoPath(path)] = chain
		}
	}
	if s.Metrics != nil && s.MetricsToken != "" {
		// Prometheus's handler negotiates its own format from the request.
		chains["GET /metrics"] = []echo.MiddlewareFunc{func(echo.HandlerFunc) echo.HandlerFunc {
			return s.metricsToken(echo.WrapHandler(s.Metrics))
		}}
	}
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			chain := chains[c.Request().Method+" "+c.Path()]
			h := next
			for i := len(chain) - 1; i >= 0; i-- {
				h = chain[i](h)
			}
			return h(c)
		}
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

// echoPath spells a document path as Echo's routes do: {id} is :id.
func echoPath(path string) string { return pathParam.ReplaceAllString(path, ":$1") }

// spec is the API document (openapi.yaml, embedded), checked by the
// tests; a document that does not load is a build mistake. Each caller
// gets its own copy to adjust.
func spec() *openapi3.T {
	doc, err := openapi3.NewLoader().LoadFromData(openAPI)
	if err != nil {
		panic(fmt.Sprintf("api: the embedded OpenAPI document does not load: %v", err))
	}
	return doc
}

func (h handlers) Healthz(context.Context, HealthzRequestObject) (HealthzResponseObject, error) {
	return Healthz200JSONResponse{Status: "ok"}, nil
}

func (h handlers) Readyz(ctx context.Context, _ ReadyzRequestObject) (ReadyzResponseObject, error) {
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	if err := h.Store.Ping(ctx); err != nil {
		return nil, unavailable("postgres is not reachable")
	}
	if _, err := h.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return nil, unavailable("temporal is not reachable")
	}
	if h.SendGridKey != nil {
		// Emails wait in the outbox and are retried: nothing is lost, but
		// nobody is mailed until the key is fixed.
		if problem := h.SendGridKey.Problem(); problem != "" {
			return nil, unavailable(problem)
		}
	}
	return Readyz200JSONResponse{Status: "ready"}, nil
}

// metricsToken lets through who sends the metrics token (compared in
// constant time): Prometheus's scrape config sends it as credentials.
func (s *Server) metricsToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		scheme, token, _ := strings.Cut(c.Request().Header.Get(echo.HeaderAuthorization), " ")
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare([]byte(token), []byte(s.MetricsToken)) != 1 {
			return unauthorized("send Authorization: Bearer <CREDITFLOW_METRICS_TOKEN>")
		}
		return next(c)
	}
}

// Metrics answers only when metrics are off here: otherwise Prometheus's
// handler serves the route (operations).
func (h handlers) Metrics(context.Context, MetricsRequestObject) (MetricsResponseObject, error) {
	return nil, problem(http.StatusNotFound, "not-found", "Not found",
		"metrics are served on CREDITFLOW_METRICS_ADDR, or here to holders of CREDITFLOW_METRICS_TOKEN")
}

func (h handlers) Openapi(context.Context, OpenapiRequestObject) (OpenapiResponseObject, error) {
	return Openapi200ApplicationyamlResponse{Body: bytes.NewReader(openAPI), ContentLength: int64(len(openAPI))}, nil
}

// accessLog logs each request without its headers or body: tokens and
// customer data stay out of the logs.
func (s *Server) accessLog(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		err := next(c)
		if err != nil {
			c.Error(err)
		}
		s.Logger.Info("http", "method", c.Request().Method, "path", c.Path(), "status", c.Response().Status,
			"duration", time.Since(start), "request_id", c.Response().Header().Get(echo.HeaderXRequestID))
		return nil
	}
}

// errUnavailable marks a failure of a dependency (Temporal, Postgres) that
// a client may retry.
var errUnavailable = errors.New("dependency unavailable")
