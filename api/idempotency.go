package api

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"io"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/store"
)

// idempotent makes every POST that carries an Idempotency-Key safe to
// retry: the first answer (2xx or 4xx) is stored and replayed; a key reused
// with another body is refused; a 5xx releases the key so a retry runs.
// It hashes the body that jsonBody read within the route's limit
// (hasBody), and reads none otherwise.
func (s *Server) idempotent(hasBody bool) echo.MiddlewareFunc {
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
			var body []byte
			if hasBody {
				var err error
				if body, err = io.ReadAll(c.Request().Body); err != nil {
					return badRequest(FieldProblem{"body", "could not be read"})
				}
				c.Request().Body = io.NopCloser(bytes.NewReader(body))
			}
			h := sha256.New()
			h.Write([]byte(c.Request().Method + " " + c.Request().URL.Path + "\n"))
			h.Write(body)
			user := currentUser(c.Request().Context())
			ctx := c.Request().Context()

			stored, err := s.Store.ClaimIdempotencyKey(ctx, user.ID, key, c.Request().Method, c.Request().URL.Path, h.Sum(nil))
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

			rec := &recorder{ResponseWriter: c.Response().Writer}
			c.Response().Writer = rec
			if err := next(c); err != nil {
				c.Error(err)
			}
			status := c.Response().Status
			if status >= 500 {
				if err := s.Store.ReleaseIdempotencyKey(ctx, user.ID, key); err != nil {
					s.Logger.Error("release idempotency key", "error", err)
				}
				return nil
			}
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

type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}
