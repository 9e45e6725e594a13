package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/mail"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
)

// maxBody bounds a JSON body; the invoice import has its own, larger bound.
const maxBody = 1 << 20

// decode reads a JSON body strictly: unknown fields, trailing data and
// wrong types are refused with the name of the field.
func decode(c echo.Context, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(c.Response(), c.Request().Body, maxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return problem(http.StatusRequestEntityTooLarge, "too-large", "Body too large", fmt.Sprintf("the body may have at most %d bytes", maxBody))
		}
		return badRequest("body", "could not be read")
	}
	return decodeJSON(body, v)
}

func decodeJSON(body []byte, v any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		return badRequest("body", "a JSON object is required")
	}
	// Trailing data is a malformed body (400) whatever the first object
	// holds, so it is looked for before the fields are checked.
	probe := json.NewDecoder(bytes.NewReader(body))
	var first json.RawMessage
	if err := probe.Decode(&first); err == nil && probe.More() {
		return badRequest("body", "unexpected data after the JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
			// encoding/json names only the key ("cents"), not where it is
			// ("requested_limit.cents").
			return unprocessable(FieldProblem{Field: unknownFieldPath(body, reflect.TypeOf(v), m[1]), Detail: "is not a known field"})
		}
		return jsonProblem(err)
	}
	if dec.More() {
		return badRequest("body", "unexpected data after the JSON object")
	}
	return nil
}

var unknownField = regexp.MustCompile(`^json: unknown field "(.*)"$`)

func jsonProblem(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return badRequest("body", fmt.Sprintf("malformed JSON at byte %d: %s", syntax.Offset, syntax.Error()))
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return unprocessable(FieldProblem{Field: field, Detail: "must be " + jsonType(typ.Type.Kind().String())})
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("body", "the JSON ends too early")
	}
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		return unprocessable(FieldProblem{Field: m[1], Detail: "is not a known field"})
	}
	return badRequest("body", err.Error())
}

// unknownFieldPath finds the dotted path of the unknown field key in body,
// decoded into a value of type t.
func unknownFieldPath(body []byte, t reflect.Type, key string) string {
	var doc any
	if json.Unmarshal(body, &doc) != nil {
		return key
	}
	var found []string
	collectUnknown(doc, t, "", &found)
	slices.Sort(found)
	for _, path := range found {
		if path == key || strings.HasSuffix(path, "."+key) {
			return path
		}
	}
	return key
}

var jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()

func collectUnknown(doc any, t reflect.Type, prefix string, found *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) {
		return // decodes itself (json.RawMessage, money.Money)
	}
	switch d := doc.(type) {
	case map[string]any:
		if t.Kind() != reflect.Struct {
			return
		}
		for key, value := range d {
			f, ok := jsonField(t, key)
			if !ok {
				*found = append(*found, prefix+key)
				continue
			}
			collectUnknown(value, f.Type, prefix+key+".", found)
		}
	case []any:
		if t.Kind() != reflect.Slice && t.Kind() != reflect.Array {
			return
		}
		base := strings.TrimSuffix(prefix, ".")
		for i, item := range d {
			collectUnknown(item, t.Elem(), fmt.Sprintf("%s[%d].", base, i), found)
		}
	}
}

// jsonField is the struct field that encoding/json decodes key into.
func jsonField(t reflect.Type, key string) (reflect.StructField, bool) {
	for i := range t.NumField() {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		if strings.EqualFold(name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// plainText refuses path ids and query parameters that are not UTF-8 text
// or that hold NUL: Postgres cannot compare such strings, so they would
// come back as 500s. No id looks like that, so such an id is not found.
func plainText(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		for _, v := range c.ParamValues() {
			if !isText(v) {
				return problem(http.StatusNotFound, "not-found", "Not found", "nothing has an id like this")
			}
		}
		for name, values := range c.QueryParams() {
			for _, v := range values {
				if !isText(name) || !isText(v) {
					return badRequest(truncate(name, 64), "must be UTF-8 text without NUL characters")
				}
			}
		}
		return next(c)
	}
}

func isText(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

func jsonType(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "int", "int64", "int32":
		return "an integer"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	default:
		return "a " + kind
	}
}

// Money is money as a request carries it. Its parts stay raw until
// validation, so that a float or a wrong type is refused with the field's
// full name ("requested_limit.amount").
type Money struct {
	Amount   json.RawMessage `json:"amount"`
	Currency json.RawMessage `json:"currency"`
}

// checker collects field problems so a response names all of them.
type checker struct{ errs []FieldProblem }

func (v *checker) fail(field, detail string) { v.errs = append(v.errs, FieldProblem{field, detail}) }

func (v *checker) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return unprocessable(v.errs...)
}

// money validates a required amount.
func (v *checker) money(field string, m *Money) money.Money {
	if m == nil {
		v.fail(field, "is required: {\"amount\": \"12500.00\", \"currency\": \"EUR\"}")
		return money.Money{}
	}
	var amount, cur string
	if err := json.Unmarshal(m.Amount, &amount); err != nil || len(m.Amount) == 0 {
		v.fail(field+".amount", "must be a decimal string such as \"12500.00\", never a number")
		return money.Money{}
	}
	if err := json.Unmarshal(m.Currency, &cur); err != nil || len(m.Currency) == 0 {
		v.fail(field+".currency", "must be an ISO 4217 code such as \"EUR\"")
		return money.Money{}
	}
	out, err := money.Parse(amount, cur)
	switch {
	case errors.Is(err, money.ErrCurrency):
		v.fail(field+".currency", fmt.Sprintf("%q is not a currency Creditflow accepts (ISO 4217)", truncate(cur, 10)))
	case err != nil:
		v.fail(field+".amount", err.Error())
	}
	return out
}

// positiveMoney validates a required amount above zero.
func (v *checker) positiveMoney(field string, m *Money) money.Money {
	out := v.money(field, m)
	if m != nil && out.Currency != "" && out.Minor == 0 {
		v.fail(field+".amount", "must be greater than zero")
	}
	return out
}

func (v *checker) text(field, s string, required bool, maxLen int) string {
	s = strings.TrimSpace(s)
	switch {
	case required && s == "":
		v.fail(field, "is required")
	case !utf8.ValidString(s):
		v.fail(field, "must be valid UTF-8")
	case strings.ContainsRune(s, 0):
		// Postgres cannot store NUL in text: accepted, it would fail the
		// insert (a 500) or, in a decision, the workflow's activity forever.
		v.fail(field, "must not contain NUL characters")
	case utf8.RuneCountInString(s) > maxLen:
		v.fail(field, fmt.Sprintf("may have at most %d characters", maxLen))
	}
	return s
}

func (v *checker) email(field, s string, required bool) string {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		if required {
			v.fail(field, "is required")
		}
		return s
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || len(s) > 254 {
		v.fail(field, "must be an email address")
	}
	return s
}

func (v *checker) oneOf(field, s string, allowed ...string) string {
	for _, a := range allowed {
		if s == a {
			return s
		}
	}
	v.fail(field, "must be one of "+strings.Join(allowed, ", "))
	return s
}

func (v *checker) intRange(field string, n *int, lo, hi int) int {
	if n == nil {
		v.fail(field, "is required")
		return 0
	}
	if *n < lo || *n > hi {
		v.fail(field, fmt.Sprintf("must be between %d and %d", lo, hi))
	}
	return *n
}

func (v *checker) date(field, s string, required bool) (time.Time, bool) {
	if s == "" {
		if required {
			v.fail(field, "is required (YYYY-MM-DD)")
		}
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		v.fail(field, "must be a date YYYY-MM-DD")
		return time.Time{}, false
	}
	return t, true
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// maxImportBody bounds the invoice import, which carries thousands of lines.
const maxImportBody = 64 << 20

func (v *checker) country(field, s string) string {
	s = strings.ToUpper(strings.TrimSpace(s))
	if len(s) != 2 || s[0] < 'A' || s[0] > 'Z' || s[1] < 'A' || s[1] > 'Z' {
		v.fail(field, "must be an ISO 3166-1 alpha-2 code such as \"DE\"")
	}
	return s
}

func (v *checker) timeZone(field, s string) string {
	if s == "" {
		return "UTC"
	}
	if _, err := time.LoadLocation(s); err != nil || len(s) > 64 {
		v.fail(field, "must be an IANA time zone such as \"Europe/Berlin\"")
	}
	return s
}

func newID(prefix string) string { return store.NewID(prefix) }
