package desk

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

// call sends one request to the API in-process, as the signed-in user
// (api.AsUser stands in for their bearer token), and decodes its answer
// into out. An answer of 400 or more comes back as the API's *api.Problem,
// which the page shows as it is. key is the Idempotency-Key: a form sent
// twice (a double click, a reload) gets the first answer.
func (d *Desk) call(ctx context.Context, u credit.User, method, path string, body any, key string, out any) error {
	r := apiRequest{Method: method, Path: path, Key: key}
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		r.ContentType, r.Body = echo.MIMEApplicationJSON, bytes.NewReader(b)
	}
	w, err := d.send(ctx, u, r)
	if err != nil || out == nil {
		return err
	}
	return w.decode(r, out)
}

// apiRequest is a request to the API of any media type: an uploaded file
// goes to the import as a stream, never whole in memory; Accept asks for
// another answer than JSON (the report's CSV).
type apiRequest struct {
	Method, Path string
	ContentType  string
	Body         io.Reader
	Key, Accept  string
}

// send is call's request, answered as the API wrote it.
func (d *Desk) send(ctx context.Context, u credit.User, r apiRequest) (*answer, error) {
	body := r.Body
	if body == nil {
		body = http.NoBody // as a server's request has: the API reads it
	}
	req, err := http.NewRequestWithContext(api.AsUser(ctx, u), r.Method, r.Path, body)
	if err != nil {
		return nil, err
	}
	for name, value := range map[string]string{"Content-Type": r.ContentType, "Idempotency-Key": r.Key, "Accept": r.Accept} {
		if value != "" {
			req.Header.Set(name, value)
		}
	}
	w := &answer{header: http.Header{}}
	d.api.ServeHTTP(w, req)
	if w.status >= 400 {
		p := &api.Problem{}
		if err := json.Unmarshal(w.body.Bytes(), p); err != nil || p.Status == 0 {
			p = &api.Problem{Status: w.status, Title: http.StatusText(w.status)}
		}
		return nil, p
	}
	return w, nil
}

// decode reads the API's JSON answer to r into out.
func (a *answer) decode(r apiRequest, out any) error {
	if err := json.Unmarshal(a.body.Bytes(), out); err != nil {
		return fmt.Errorf("%s %s: decode the API's answer: %w", r.Method, r.Path, err)
	}
	return nil
}

// answer keeps the API's in-process answer; the API bounds its size (its
// pages are at most 200 items, an import's report 10,000 lines).
type answer struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (a *answer) Header() http.Header { return a.header }

func (a *answer) WriteHeader(status int) {
	if a.status == 0 {
		a.status = status
	}
}

func (a *answer) Write(b []byte) (int, error) {
	a.WriteHeader(http.StatusOK)
	return a.body.Write(b)
}

// form is a form as the page shows it: what was typed, and what the API
// said of it, next to each field it named.
type form struct {
	Values map[string]string
	Errors map[string]string
	// Problem is what the API said of the request as a whole (a
	// refusal, a conflict), shown above the form.
	Problem string
	// Fields is every field problem, for the summary above the form.
	Fields []api.FieldProblem
	// Key is the Idempotency-Key of this rendering of the form.
	Key string
}

// newForm is an empty form with a fresh Idempotency-Key.
func newForm() form {
	return form{Values: map[string]string{}, Errors: map[string]string{}, Key: randomID()}
}

// Value and Error are for the templates.
func (f form) Value(name string) string { return f.Values[name] }
func (f form) Error(name string) string { return f.Errors[name] }

// withProblem puts what the API said next to the fields it named; the
// field of "approved_limit.amount" is the form's approved_limit. A
// problem naming no field is the form's own.
func (f form) withProblem(p *api.Problem) form {
	return f.withProblemAt(p, topField)
}

// topField is the body's top field of a problem's field: the form's
// field where the form's fields are the body's.
func topField(field string) string {
	if i := strings.IndexAny(field, ".["); i > 0 {
		return field[:i]
	}
	return field
}

// withProblemAt is withProblem for a form whose fields fieldOf finds
// from the API's names.
func (f form) withProblemAt(p *api.Problem, fieldOf func(string) string) form {
	f.Key = randomID() // a corrected form is a new request
	if len(p.Errors) == 0 {
		f.Problem = p.Title
		if p.Detail != "" {
			f.Problem += ": " + p.Detail
		}
		return f
	}
	f.Fields = p.Errors
	for _, e := range p.Errors {
		field := fieldOf(e.Field)
		if _, taken := f.Errors[field]; !taken {
			f.Errors[field] = e.Detail
		}
	}
	f.Problem = "Please correct what is marked below."
	return f
}

// checked lists the values of a multiple choice, as decide keeps them.
func (f form) checked(name string) []string {
	if f.Values[name] == "" {
		return nil
	}
	return strings.Split(f.Values[name], ",")
}
