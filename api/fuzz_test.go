package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// The request decoders (jsonBody, the validator against the API document,
// the problem mapping) and the import's parser face whatever a caller
// sends: fuzzed, they answer a 4xx problem naming the field or let the
// body through, never a panic or a 5xx. The seeds below and
// testdata/fuzz run with every `go test`; fuzz for longer with
//
//	go test -run '^$' -fuzz FuzzRequestBodies -fuzztime 5m ./api

// postOperations are the document's POST operations, in a fixed order.
func postOperations(t testing.TB) []string {
	var ops []string
	for path, item := range spec().Paths.Map() {
		// SendGrid's webhooks read their own bodies (webhooks_test.go).
		if item.Post != nil && !strings.HasPrefix(path, "/webhooks/") {
			ops = append(ops, path)
		}
	}
	slices.Sort(ops)
	if len(ops) == 0 {
		t.Fatal("no POST operations in the document")
	}
	return ops
}

// decoders routes every POST operation through its body checks alone:
// the chain operations() builds, without the token and the store.
func decoders(t testing.TB) *echo.Echo {
	doc := spec()
	validate := validator(spec())
	e := echo.New()
	e.HTTPErrorHandler = (&Server{Logger: slog.New(slog.DiscardHandler)}).errorHandler
	for _, path := range postOperations(t) {
		op := doc.Paths.Find(path).Post
		chain := []echo.MiddlewareFunc{jsonBody(op.RequestBody.Value)}
		if !strings.HasSuffix(path, "/invoices/import") {
			chain = append(chain, validate)
		}
		e.POST(echoPath(path), func(c echo.Context) error { return c.NoContent(http.StatusNoContent) }, chain...)
	}
	return e
}

func FuzzRequestBodies(f *testing.F) {
	ops := postOperations(f)
	for k := range ops {
		for _, body := range []string{`{}`, `null`, `[]`, `{"amount":{"amount":"1.00","currency":"EUR"}}`,
			`{"kind":"pre_approval","prospect":{"name":"A","years_in_business":1e400}}`, `{"outcome":"approve","conditions":[{}]}`,
			"{\"reason\":\"\\u0000\"}", `{"a":1} {"b":2}`, "\xff\xfe", `{"amount":{"amount":12.5,"currency":"eur"}}`} {
			f.Add(uint8(k), []byte(body))
		}
	}
	e := decoders(f)
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		path := strings.ReplaceAll(ops[int(which)%len(ops)], "{id}", "x")
		req := httptest.NewRequest(http.MethodPost, path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		e.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %q: %d %s", path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 {
			var p Problem
			if err := json.Unmarshal(rec.Body.Bytes(), &p); err != nil || p.Status != rec.Code || p.Title == "" {
				t.Fatalf("%s %q: %d is not a problem document: %s", path, body, rec.Code, rec.Body)
			}
		}
	})
}

func FuzzImportLines(f *testing.F) {
	for _, s := range []string{
		`{"account_id":"acc_1","number":"1","amount":{"amount":"1.00","currency":"EUR"},"issue_date":"2025-01-01"}`,
		"\n\n{}\n  \n{\"number\":5}\n", `{"amount":{"amount":"1e9","currency":"EUR"}}`, "{\"due_date\":\"2025-02-30\"}\r\n", "\x00\n\xff",
		`[{"number":"1"}, 2, "x"]`, `[`, `[{}]]`, `[] []`, `{"a":1}`,
		"account_id,number,amount,currency,issue_date\nacc_1,1,1.00,EUR,2025-01-01\n", "\ufeffnumber,terms_days\n\"a\nb\",x\n", "a,a\n1,2",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, mediaType := range []string{"application/x-ndjson", "application/json", "text/csv"} {
			err := eachImportLine(bytes.NewReader(body), mediaType, func(l importLine) error {
				if len(bytes.TrimSpace(l.body)) == 0 {
					t.Fatalf("%q: an empty line %d", body, l.number)
				}
				if _, problems := importedInvoice(l.body); problems != nil {
					for _, fp := range problems {
						if fp.Field == "" || fp.Detail == "" {
							t.Fatalf("%q line %d: a problem without its field: %+v", body, l.number, fp)
						}
					}
				}
				return nil
			})
			if err != nil {
				var p *Problem
				if !errors.As(err, &p) || p.Status < 400 || p.Status >= 500 {
					t.Fatalf("%q: %v", body, err)
				}
			}
		}
	})
}
