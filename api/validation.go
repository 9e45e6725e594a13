package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"
	echomiddleware "github.com/oapi-codegen/echo-middleware"

	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
)

// maxBody bounds a JSON body unless the operation's requestBody says
// otherwise in x-max-body-bytes (the invoice import does).
const maxBody = 1 << 20

func init() {
	// The document's format iso-4217 is a currency Creditflow knows, so
	// the validator names an unknown one beside every other problem.
	openapi3.DefineStringFormatCallback("iso-4217", func(s string) error {
		if !money.KnownCurrency(s) {
			return errors.New("not a currency Creditflow accepts")
		}
		return nil
	})
}

// validator checks every request against the API document: parameters,
// types, required and unknown fields (additionalProperties: false), bounds
// and enumerations. What it finds becomes one problem (requestProblem).
func validator(doc *openapi3.T) echo.MiddlewareFunc {
	// The document's server is "/": with servers set, kin-openapi's router
	// would also match the Host header, which a proxy may change.
	doc.Servers = nil
	return echomiddleware.OapiRequestValidatorWithOptions(doc, &echomiddleware.Options{
		Options: openapi3filter.Options{
			MultiError: true,
			// Authentication and roles were checked before the body was read.
			AuthenticationFunc: openapi3filter.NoopAuthenticationFunc,
			// Defaults are the handlers' to apply: terms_days and due_date
			// are one or the other.
			SkipSettingDefaults: true,
		},
		MultiErrorHandler: func(me openapi3.MultiError) *echo.HTTPError {
			return &echo.HTTPError{Code: http.StatusBadRequest, Internal: me}
		},
		ErrorHandler: func(_ echo.Context, he *echo.HTTPError) error {
			if he.Internal != nil {
				return requestProblem(he.Internal)
			}
			return he
		},
		SilenceServersWarning: true,
	})
}

// jsonBody reads an operation's request body before it is validated, and
// refuses what the validator cannot say well: a body too large (413), of
// a media type the operation does not take (415), empty when required,
// not JSON or with data after the JSON value (400, with the byte offset).
// It leaves the request's digest for the Idempotency-Key check. A body the
// document marks x-streamed (the import) is not held in memory: it is
// spooled to a temporary file as it arrives, and its handler reads that.
func jsonBody(body *openapi3.RequestBody) echo.MiddlewareFunc {
	limit := int64(maxBody)
	switch n := body.Extensions["x-max-body-bytes"].(type) {
	case float64:
		limit = int64(n)
	case json.Number:
		limit, _ = n.Int64()
	}
	streamed, _ := body.Extensions["x-streamed"].(bool)
	mediaTypes := make([]string, 0, len(body.Content))
	for mt := range body.Content {
		mediaTypes = append(mediaTypes, mt)
	}
	slices.Sort(mediaTypes)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			req := c.Request()
			digest := requestDigest(req)
			if streamed {
				mediaType, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
				if body.Content[mediaType] == nil {
					return unsupportedMediaType(mediaTypes)
				}
				f, size, err := spool(http.MaxBytesReader(c.Response(), req.Body, limit), digest)
				if err != nil {
					return readProblem(err, limit)
				}
				defer f.Close()
				if size == 0 {
					return badRequest(FieldProblem{"body", "is required: send " + strings.Join(mediaTypes, " or ")})
				}
				req.Body, req.ContentLength = f, size
				c.SetRequest(req.WithContext(context.WithValue(req.Context(), bodyDigest{}, digest.Sum(nil))))
				return next(c)
			}
			raw, err := io.ReadAll(http.MaxBytesReader(c.Response(), req.Body, limit))
			if err != nil {
				return readProblem(err, limit)
			}
			if len(bytes.TrimSpace(raw)) == 0 {
				if body.Required {
					return badRequest(FieldProblem{"body", "is required: send " + strings.Join(mediaTypes, " or ")})
				}
				req.Body, req.ContentLength = http.NoBody, 0
				return next(c)
			}
			mediaType, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
			content := body.Content[mediaType]
			if content == nil {
				return unsupportedMediaType(mediaTypes)
			}
			if mediaType == echo.MIMEApplicationJSON {
				if err := wellFormed(raw); err != nil {
					return err
				}
				if s := content.Schema; s != nil && s.Value.Type.Is("object") && string(bytes.TrimSpace(raw)) == "null" {
					// encoding/json read null as an empty object, so null
					// has always been answered with the fields it lacks.
					raw = []byte("{}")
				}
			}
			digest.Write(raw)
			req.Body, req.ContentLength = io.NopCloser(bytes.NewReader(raw)), int64(len(raw))
			c.SetRequest(req.WithContext(context.WithValue(req.Context(), bodyDigest{}, digest.Sum(nil))))
			return next(c)
		}
	}
}

// readProblem answers a body that could not be read.
func readProblem(err error, limit int64) error {
	if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
		return tooLarge(limit)
	}
	if errors.Is(err, errSpool) {
		return err
	}
	return badRequest(FieldProblem{"body", "could not be read"})
}

// wellFormed refuses a body that is not one JSON value.
func wellFormed(raw []byte) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	var v json.RawMessage
	if err := dec.Decode(&v); err != nil {
		var syntax *json.SyntaxError
		switch {
		case errors.As(err, &syntax):
			return badRequest(FieldProblem{"body", fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error())})
		case errors.Is(err, io.ErrUnexpectedEOF):
			return badRequest(FieldProblem{"body", "the JSON ends too early"})
		}
		return badRequest(FieldProblem{"body", "is not JSON"})
	}
	if len(bytes.TrimSpace(raw[dec.InputOffset():])) > 0 {
		return badRequest(FieldProblem{"body", "unexpected data after the JSON value"})
	}
	return nil
}

// plainText refuses path ids and query parameters that are not UTF-8 text
// or that hold NUL: Postgres cannot compare such strings, so they would
// come back as 500s. No id looks like that, so such an id is not found.
func plainText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if !isText(v) {
				return noSuchID()
			}
		}
		for name, values := range c.QueryParams() {
			for _, v := range values {
				if !isText(name) || !isText(v) {
					return badRequest(FieldProblem{truncate(name, 64), "must be UTF-8 text without NUL characters"})
				}
			}
		}
		return next(c)
	}
}

func isText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// checker holds the checks the document cannot state: a currency
// Creditflow knows and an amount above zero, text that is not blank and
// has no NUL (Postgres cannot store it), an email address, a time zone
// that exists, a calendar date. It collects problems so that an answer
// names all of them.
type checker struct{ errs []FieldProblem }

func (v *checker) fail(field, detail string) { v.errs = append(v.errs, FieldProblem{field, detail}) }

func (v *checker) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return unprocessable(v.errs...)
}

// money reads an amount whose shape the document has checked.
func (v *checker) money(field string, m Money) money.Money {
	out, err := money.Parse(m.Amount, m.Currency)
	switch {
	case errors.Is(err, money.ErrCurrency):
		v.fail(field+".currency", fmt.Sprintf("%q is not a currency Creditflow accepts (ISO 4217)", truncate(m.Currency, 10)))
	case err != nil:
		v.fail(field+".amount", err.Error())
	}
	return out
}

// positiveMoney reads an amount above zero.
func (v *checker) positiveMoney(field string, m Money) money.Money {
	out := v.money(field, m)
	if out.Currency != "" && out.Minor == 0 {
		v.fail(field+".amount", "must be greater than zero")
	}
	return out
}

// text trims s; required text must not be blank.
func (v *checker) text(field, s string, required bool) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		v.fail(field, "is required")
	case strings.ContainsRune(s, 0):
		// Postgres cannot store NUL in text: accepted, it would fail the
		// insert (a 500) or, in a decision, the workflow's activity forever.
		v.fail(field, "must not contain NUL characters")
	}
	return s
}

// line checks single-line text: names and numbers end up in email
// subjects and headers, where a line break or a control character could
// forge a header or garble what the reader sees.
func (v *checker) line(field, s string, required bool) string {
	s = v.text(field, s, required)
	if strings.ContainsFunc(s, unicode.IsControl) && !strings.ContainsRune(s, 0) {
		v.fail(field, "must be one line, without control characters")
	}
	return s
}

func (v *checker) email(field, s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		v.fail(field, "is required")
		return s
	}
	if a, err := mail.ParseAddress(s); err != nil || a.Address != s {
		v.fail(field, "must be an email address")
	}
	return s
}

func (v *checker) timeZone(field string, s *string) string {
	if s == nil || *s == "" {
		return "UTC"
	}
	if _, err := time.LoadLocation(*s); err != nil || strings.ContainsRune(*s, 0) {
		v.fail(field, "must be an IANA time zone such as \"Europe/Berlin\"")
	}
	return *s
}

// date reads a calendar date (the document checks only its shape).
func (v *checker) date(field, s string) (time.Time, bool) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		v.fail(field, "must be a date YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

// instant reads an RFC 3339 instant of something that happened: from
// 1970 until now (a day's grace for clocks ahead).
func (v *checker) instant(field, s string, now time.Time) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	switch {
	case err != nil:
		v.fail(field, "must be an instant in RFC 3339, such as 2025-03-01T10:00:00Z")
	case t.Year() < 1970:
		v.fail(field, "must be in 1970 or later")
	case t.After(now.Add(24 * time.Hour)):
		v.fail(field, "must not be in the future")
	}
	return t.UTC()
}

func deref[T any](p *T) T {
	var zero T
	if p == nil {
		return zero
	}
	return *p
}

func newID(prefix string) string { return store.NewID(prefix) }
