package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

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

func badRequest(field, detail string) *Problem {
	p := problem(http.StatusBadRequest, "bad-request", "The request is malformed", field+": "+detail)
	p.Errors = []FieldProblem{{Field: field, Detail: detail}}
	return p
}

func unprocessable(errs ...FieldProblem) *Problem {
	p := problem(http.StatusUnprocessableEntity, "validation", "The request is not valid", "")
	p.Errors = errs
	if len(errs) > 0 {
		p.Detail = errs[0].Field + ": " + errs[0].Detail
	}
	return p
}

func notFound(what, id string) *Problem {
	return problem(http.StatusNotFound, "not-found", what+" not found", fmt.Sprintf("no %s with id %q", what, id))
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
	case errors.As(err, &he):
		p = problem(he.Code, slugFor(he.Code), http.StatusText(he.Code), fmt.Sprint(he.Message))
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
	if p.Status == http.StatusUnauthorized {
		c.Response().Header().Set(echo.HeaderWWWAuthenticate, `Bearer realm="creditflow"`)
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
