// Package api is Creditflow's HTTP API: Echo routes, bearer-token auth,
// request validation, Idempotency-Key replay and RFC 9457 problems. The
// handlers are thin: they validate, then start a workflow, send it an
// update or read the store.
package api

import (
	"context"
	_ "embed"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"go.temporal.io/sdk/client"

	"github.com/creditflow/creditflow/credit"
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
	// Metrics serves GET /metrics (Prometheus); nil: not served.
	Metrics http.Handler
	// Now is the wall clock; tests may fix it.
	Now func() time.Time
}

// Handler builds the Echo router.
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

	e.GET("/healthz", func(c echo.Context) error { return c.JSON(http.StatusOK, map[string]string{"status": "ok"}) })
	e.GET("/readyz", s.ready)
	if s.Metrics != nil {
		e.GET("/metrics", echo.WrapHandler(s.Metrics))
	}
	e.GET("/openapi.yaml", func(c echo.Context) error { return c.Blob(http.StatusOK, "application/yaml", openAPI) })

	sales, creditTeam := []string{credit.RoleSales}, []string{credit.RoleCredit, credit.RoleCreditManager}
	anyone := credit.Roles
	v1 := e.Group("/api/v1", s.authenticate, plainText, s.idempotent)
	v1.POST("/credit-requests", s.createCreditRequest, allow(sales...))
	v1.GET("/credit-requests", s.listCreditRequests, allow(anyone...))
	v1.GET("/credit-requests/:id", s.getCreditRequest, allow(anyone...))
	v1.POST("/credit-requests/:id/decision", s.decideCreditRequest, allow(creditTeam...))
	v1.POST("/credit-requests/:id/withdraw", s.withdrawCreditRequest, allow(sales...))
	v1.GET("/accounts", s.listAccounts, allow(anyone...))
	v1.GET("/accounts/:id", s.getAccount, allow(anyone...))
	v1.GET("/accounts/:id/timeline", s.accountTimeline, allow(anyone...))
	v1.GET("/emails", s.listEmails, allow(credit.RoleAdmin))
	s.invoiceRoutes(v1)
	return e
}

func (s *Server) ready(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), 3*time.Second)
	defer cancel()
	if err := s.Store.Ping(ctx); err != nil {
		return unavailable("postgres is not reachable")
	}
	if _, err := s.Temporal.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		return unavailable("temporal is not reachable")
	}
	return c.JSON(http.StatusOK, map[string]string{"status": "ready"})
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
