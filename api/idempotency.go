package api

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

// idempotent makes every POST that carries an Idempotency-Key safe to
// retry: the first answer (2xx or 4xx) is stored and replayed; a key reused
// with another body is refused; a 5xx releases the key so a retry runs.
// The request's digest comes from jsonBody, which read the body within the
// route's limit; this reads no body.
//
// An operation that creates nothing (the preview) checks the key and
// stores nothing: repeating it is harmless, and a desk form may send the
// key it will file the request with.
func (s *Server) idempotent(createsNothing bool) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			key := c.Request().Header.Get("Idempotency-Key")
			if c.Request().Method != http.MethodPost || key == "" {
				return next(c)
			}
			if len(key) > 255 {
				return badRequest(FieldProblem{"Idempotency-Key", "may have at most 255 characters"})
			}
			if !isText(key) {
				return badRequest(FieldProblem{"Idempotency-Key", "must be UTF-8 text"})
			}
			if createsNothing {
				return next(c)
			}
			sum, _ := c.Request().Context().Value(bodyDigest{}).([]byte)
			if sum == nil {
				sum = requestDigest(c.Request()).Sum(nil)
			}
			user := currentUser(c.Request().Context())
			// The key's bookkeeping goes on when the client hangs up, so the
			// key is never left in flight by a vanished caller; the lease
			// frees it should this process die first (a request holds it
			// until its deadline, the import for importLease).
			book := func() (context.Context, context.CancelFunc) {
				return context.WithTimeout(context.WithoutCancel(c.Request().Context()), bookkeepingTimeout)
			}
			ctx, cancel := book()
			defer cancel()
			lease := importLease
			if deadline, ok := c.Request().Context().Deadline(); ok {
				lease = time.Until(deadline) + bookkeepingTimeout
			}
			stored, err := s.Store.ClaimIdempotencyKey(ctx, user.ID, key, c.Request().Method, c.Request().URL.Path, sum, lease)
			switch {
			case errors.Is(err, store.ErrKeyReused):
				return unprocessable(FieldProblem{Field: "Idempotency-Key", Detail: "was already used for a different request"})
			case errors.Is(err, store.ErrKeyInFlight):
				return conflict("a request with this Idempotency-Key is still being processed; retry shortly")
			case err != nil:
				return err
			case stored != nil:
				c.Response().Header().Set("Idempotent-Replayed", "true")
				return c.Blob(stored.Status, stored.ContentType, stored.Body)
			}

			release := func() {
				ctx, cancel := book()
				defer cancel()
				if err := s.Store.ReleaseIdempotencyKey(ctx, user.ID, key); err != nil {
					s.Logger.Error("release idempotency key", "error", err)
				}
			}
			// A panic answers 500: the key is released for the retry.
			defer func() {
				if r := recover(); r != nil {
					release()
					panic(r)
				}
			}()
			c.SetRequest(c.Request().WithContext(context.WithValue(c.Request().Context(), idempotencyKey{}, key)))
			rec := &recorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			if err := next(c); err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			if status >= 500 {
				release()
				return nil
			}
			ctx, cancel = book()
			defer cancel()
			err = s.Store.StoreIdempotentResponse(ctx, user.ID, key, store.StoredResponse{
				Status: status, ContentType: c.Response().Header().Get(echo.HeaderContentType), Body: rec.body.Bytes(),
			})
			if err != nil {
				s.Logger.Error("store idempotent response", "error", err)
			}
			return nil
		}
	}
}

// createsNothing: the operation's x-creates-nothing, in the API document.
func createsNothing(op *openapi3.Operation) bool {
	nothing, _ := op.Extensions["x-creates-nothing"].(bool)
	return nothing
}

// idempotencyKey carries the request's Idempotency-Key to the handlers,
// which derive the ids of what they create or send from it.
type idempotencyKey struct{}

// keyedByRequest is an id derived from the caller and the request's
// Idempotency-Key (what names the thing within the request), or "" when
// the request has no key.
func keyedByRequest(ctx context.Context, prefix, what string) string {
	key, _ := ctx.Value(idempotencyKey{}).(string)
	if key == "" {
		return ""
	}
	return workflows.KeyedID(prefix, currentUser(ctx).ID, key, what)
}

const (
	// bookkeepingTimeout bounds each write of a key's bookkeeping.
	bookkeepingTimeout = 5 * time.Second
	// importLease is how long an import holds its key: it has no request
	// deadline of its own (each of its starts has one).
	importLease = 15 * time.Minute
	// IdempotencyRetention is how long a key and its answer are kept:
	// a retry within it replays the first answer.
	IdempotencyRetention = 24 * time.Hour
)

type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
