package api

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
)

// defaultRequestTimeout bounds what a request may wait for Postgres and
// Temporal: a worker or a database that is down answers 503 in time, never
// a hanging request.
const defaultRequestTimeout = 15 * time.Second

// retryAfter is what a 503 tells the client to wait, in seconds.
const retryAfter = "5"

// withDeadline gives the request's context the server's deadline. The
// import is exempt: it bounds each of its thousands of starts on its own.
func (s *Server) withDeadline(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		timeout := s.RequestTimeout
		if timeout <= 0 {
			timeout = defaultRequestTimeout
		}
		ctx, cancel := context.WithTimeout(c.Request().Context(), timeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// outage reports whether err is a dependency that is down or slow
// (Postgres, Temporal) rather than a bug of ours: the client may retry.
func outage(err error) bool {
	var connect *pgconn.ConnectError
	var netErr net.Error
	var unavailable *serviceerror.Unavailable
	var deadline *serviceerror.DeadlineExceeded
	return errors.Is(err, errUnavailable) ||
		errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &connect) || pgconn.Timeout(err) ||
		errors.As(err, &unavailable) || errors.As(err, &deadline) ||
		(errors.As(err, &netErr) && netErr.Timeout())
}
