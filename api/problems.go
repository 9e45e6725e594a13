package api

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem document. Errors names each offending
// field, so a client can put the message next to the right input.
type Problem struct {
	Type     string         `json:"type"`
	Title    string         `json:"title"`
	Status   int            `json:"status"`
	Detail   string         `json:"detail,omitempty"`
	Instance string         `json:"instance,omitempty"`
	Errors   []FieldProblem `json:"errors,omitempty"`
}

// FieldProblem says what is wrong with one field (dotted path, as in the
// request body: "prospect.annual_revenue.amount").
type FieldProblem struct {
	Field  string `json:"field"`
	Detail string `json:"detail"`
}

func (p *Problem) Error() string { return fmt.Sprintf("%d %s: %s", p.Status, p.Title, p.Detail) }

const problemBase = "https://creditflow.dev/problems/"

func problem(status int, slug, title, detail string) *Problem {
	return &Problem{Type: problemBase + slug, Title: title, Status: status, Detail: detail}
}

func badRequest(errs ...FieldProblem) *Problem {
	p := problem(http.StatusBadRequest, "bad-request", "The request is malformed", "")
	p.Errors, p.Detail = errs, summary(errs)
	return p
}

func unprocessable(errs ...FieldProblem) *Problem {
	p := problem(http.StatusUnprocessableEntity, "validation", "The request is not valid", "")
	p.Errors, p.Detail = errs, summary(errs)
	return p
}

func summary(errs []FieldProblem) string {
	if len(errs) == 0 {
		return ""
	}
	return errs[0].Field + ": " + errs[0].Detail
}

func notFound(what, id string) *Problem {
	return problem(http.StatusNotFound, "not-found", what+" not found", fmt.Sprintf("no %s with id %q", what, truncate(id, 64)))
}

// noSuchID answers a path id that cannot name anything (not text, too long).
func noSuchID() *Problem {
	return problem(http.StatusNotFound, "not-found", "Not found", "nothing has an id like this")
}

func forbidden(detail string) *Problem {
	return problem(http.StatusForbidden, "forbidden", "Not allowed", detail)
}

func conflict(detail string) *Problem {
	return problem(http.StatusConflict, "conflict", "Conflict with the current state", detail)
}

func unavailable(detail string) *Problem {
	return problem(http.StatusServiceUnavailable, "unavailable", "Temporarily unavailable", detail)
}

func tooLarge(limit int64) *Problem {
	return problem(http.StatusRequestEntityTooLarge, "too-large", "Body too large", fmt.Sprintf("the body may have at most %d bytes", limit))
}

func unsupportedMediaType(allowed []string) *Problem {
	return problem(http.StatusUnsupportedMediaType, "unsupported-media-type", "Unsupported media type",
		"send the body as "+strings.Join(allowed, " or "))
}

// requestProblem turns what the OpenAPI validator (kin-openapi) found
// wrong with a request into one problem: the body's fields by their dotted
// path (422), a query parameter or a header by its name (400, or 422 for a
// value outside its enumeration, as the handlers answered before), a path
// id by 404 (no id looks like that). Every validation error of the API
// goes through here, and so do the lines of an import.
func requestProblem(err error) *Problem {
	var errs []FieldProblem
	var badID, malformed bool
	// parameter names a path, query or header parameter.
	parameter := func(in *openapi3filter.RequestError, detail string) {
		badID = badID || in.Parameter.In == openapi3.ParameterInPath
		malformed = true
		errs = append(errs, FieldProblem{truncate(in.Parameter.Name, 64), detail})
	}
	var walk func(err error, in *openapi3filter.RequestError)
	walk = func(err error, in *openapi3filter.RequestError) {
		isParameter := in != nil && in.Parameter != nil
		switch e := err.(type) {
		case openapi3.MultiError:
			for _, x := range e {
				walk(x, in)
			}
		case *openapi3filter.RequestError:
			walk(cmp.Or(e.Err, errors.New(e.Reason)), e)
		case *openapi3.SchemaError:
			switch {
			case isParameter && e.SchemaField == "enum" && in.Parameter.In == openapi3.ParameterInQuery:
				errs = append(errs, FieldProblem{in.Parameter.Name, schemaDetail(e)})
			case isParameter:
				parameter(in, schemaDetail(e))
			default:
				errs = append(errs, bodyProblem(e))
			}
		default:
			if isParameter {
				parameter(in, "is not valid")
				return
			}
			malformed = true
			errs = append(errs, FieldProblem{"body", "is not a valid JSON document"})
		}
	}
	walk(err, nil)
	if len(errs) == 0 {
		errs = []FieldProblem{{"body", "is not valid"}}
	}
	errs = slices.CompactFunc(errs, func(a, b FieldProblem) bool { return a.Field == b.Field })
	errs = errs[:min(len(errs), 50)]
	switch {
	case badID:
		return noSuchID()
	case malformed:
		return badRequest(errs...)
	}
	return unprocessable(errs...)
}

// bodyProblem names a field of the body by its dotted path.
func bodyProblem(e *openapi3.SchemaError) FieldProblem {
	pointer, detail := e.JSONPointer(), schemaDetail(e)
	if n := len(pointer); n > 0 && wrongType(e) && isIndex(pointer[n-1]) {
		// A value of the wrong type in an array: the array is not what
		// the document says ("conditions"), as encoding/json named it.
		pointer, detail = pointer[:n-1], fmt.Sprintf("item %s must be %s", pointer[n-1], article(typeOf(e.Schema)))
	}
	if m := unsupported.FindStringSubmatch(e.Reason); m != nil && e.SchemaField == "properties" {
		// kin-openapi points at the object, not at its unknown key.
		pointer = append(pointer, m[1])
	}
	return FieldProblem{fieldPath(pointer), detail}
}

var unsupported = regexp.MustCompile(`^property "(.*)" is unsupported$`)

// fieldPath spells a JSON pointer as the body does:
// prospect.annual_revenue.amount, conditions[1].
func fieldPath(pointer []string) string {
	var b strings.Builder
	for _, p := range pointer {
		if isIndex(p) {
			b.WriteString("[" + p + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(truncate(p, 64))
	}
	if b.Len() == 0 {
		return "body"
	}
	return b.String()
}

// wrongType: kin-openapi reports a number among enumerated strings as
// outside the enumeration; it is of the wrong type.
func wrongType(e *openapi3.SchemaError) bool {
	_, isString := e.Value.(string)
	return e.SchemaField == "type" || (e.SchemaField == "enum" && typeOf(e.Schema) == "string" && !isString)
}

func isIndex(p string) bool { _, err := strconv.Atoi(p); return err == nil }

// moneyExample shows what a missing amount looks like.
const moneyExample = `e.g. {"amount": "12500.00", "currency": "EUR"}`

// schemaDetail says, without echoing the input, what the schema wanted.
func schemaDetail(e *openapi3.SchemaError) string {
	s := e.Schema
	if s == nil {
		return e.Reason
	}
	switch e.SchemaField {
	case "required":
		pointer := e.JSONPointer()
		if len(pointer) > 0 {
			if p := s.Properties[pointer[len(pointer)-1]]; p != nil && isMoney(p.Value) {
				return "is required, " + moneyExample
			}
		}
		return "is required"
	case "properties", "additionalProperties":
		return "is not a known field"
	case "nullable":
		return "must not be null"
	case "type":
		switch {
		case isMoney(s):
			return "must be an object, " + moneyExample
		case s.Type.Is("string") && s.Pattern != "" && s.Example != nil:
			return fmt.Sprintf("must be a string such as %q, never a number", fmt.Sprint(s.Example))
		}
		return "must be " + article(typeOf(s))
	case "enum":
		values := make([]string, 0, len(s.Enum))
		for _, v := range s.Enum {
			values = append(values, fmt.Sprint(v))
		}
		return "must be one of " + strings.Join(values, ", ")
	case "maxLength":
		return fmt.Sprintf("may have at most %d characters", *s.MaxLength)
	case "minLength":
		return fmt.Sprintf("must have at least %d characters", s.MinLength)
	case "minimum", "maximum":
		switch {
		case s.Min != nil && s.Max != nil:
			return fmt.Sprintf("must be between %v and %v", *s.Min, *s.Max)
		case s.Min != nil:
			return fmt.Sprintf("must be at least %v", *s.Min)
		case s.Max != nil:
			return fmt.Sprintf("must be at most %v", *s.Max)
		}
	case "pattern":
		if s.Example != nil {
			return fmt.Sprintf("must be written like %q", fmt.Sprint(s.Example))
		}
		return "is not in the expected form"
	case "format":
		switch s.Format {
		case "date":
			return "must be a date YYYY-MM-DD"
		case "date-time":
			return "must be an instant in RFC 3339, such as 2025-03-01T10:00:00Z"
		case "iso-4217":
			return "is not a currency Creditflow accepts (ISO 4217)"
		}
		return "must be " + article(s.Format)
	case "minItems":
		return fmt.Sprintf("must have at least %d items", s.MinItems)
	}
	return e.Reason
}

func isMoney(s *openapi3.Schema) bool {
	return s != nil && s.Properties["amount"] != nil && s.Properties["currency"] != nil
}

func typeOf(s *openapi3.Schema) string {
	if s.Type == nil || len(*s.Type) == 0 {
		return "a value"
	}
	return (*s.Type)[0]
}

func article(typ string) string {
	switch typ {
	case "integer", "object", "array":
		return "an " + typ
	case "boolean":
		return "true or false"
	}
	return "a " + typ
}

// errorHandler writes every error as a problem document. An error that is
// not a *Problem is ours: it is logged and answered with a bare 500 that
// says nothing of our internals.
func (s *Server) errorHandler(err error, c echo.Context) {
	if c.Response().Committed {
		return
	}
	var p *Problem
	var he *echo.HTTPError
	switch {
	case errors.As(err, &p):
	case errors.As(err, &he) && he.Code == http.StatusBadRequest:
		// The generated handlers' own decoding, behind the validator: a
		// body that is JSON of the wrong shape.
		p = badRequest(FieldProblem{"body", "does not have the shape the API document gives it"})
	case errors.As(err, &he):
		p = problem(he.Code, slugFor(he.Code), http.StatusText(he.Code), fmt.Sprint(he.Message))
	case outage(err):
		s.Logger.Warn("dependency unavailable", "method", c.Request().Method, "path", c.Path(), "error", err)
		p = unavailable("a service Creditflow depends on did not answer in time; retry shortly")
	default:
		s.Logger.Error("request failed", "method", c.Request().Method, "path", c.Path(), "error", err)
		p = problem(http.StatusInternalServerError, "internal", "Internal error", "the error was logged")
	}
	p.Instance = c.Request().URL.Path
	writeProblem(c, p)
}

func writeProblem(c echo.Context, p *Problem) {
	b, _ := json.Marshal(p)
	c.Response().Header().Set(echo.HeaderContentType, "application/problem+json")
	switch p.Status {
	case http.StatusUnauthorized:
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="creditflow"`)
	case http.StatusServiceUnavailable:
		c.Response().Header().Set("Retry-After", retryAfter)
	}
	c.Response().WriteHeader(p.Status)
	_, _ = c.Response().Write(b)
}

func slugFor(status int) string {
	switch status {
	case http.StatusNotFound:
		return "not-found"
	case http.StatusMethodNotAllowed:
		return "method-not-allowed"
	case http.StatusRequestEntityTooLarge:
		return "too-large"
	case http.StatusUnauthorized:
		return "unauthorized"
	default:
		return "http-" + fmt.Sprint(status)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
