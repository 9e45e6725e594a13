package api_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/email"
	"github.com/creditflow/creditflow/policy"
	"github.com/creditflow/creditflow/store"
)

// router builds the API's router without dependencies: routes are listed
// or served from memory, never handled against a store. Metrics is set so
// that the optional GET /metrics is among the routes too.
func router() *echo.Echo {
	return (&api.Server{Logger: slog.New(slog.DiscardHandler), Metrics: http.NotFoundHandler(), MetricsToken: "t"}).Handler()
}

var echoParam = regexp.MustCompile(`:([A-Za-z_][A-Za-z0-9_]*)`)

// routedOperations lists the router's routes as "METHOD /path/{param}".
func routedOperations(t *testing.T) map[string]bool {
	t.Helper()
	out := map[string]bool{}
	for _, r := range router().Routes() {
		if r.Method == echo.RouteNotFound {
			continue // the /api/v1 group's catch-all, which answers 401/404
		}
		out[r.Method+" "+echoParam.ReplaceAllString(r.Path, "{$1}")] = true
	}
	require.NotEmpty(t, out)
	return out
}

type openAPIParameter struct {
	Ref  string `yaml:"$ref"`
	Name string `yaml:"name"`
	In   string `yaml:"in"`
}

type openAPIOperation struct {
	OperationID string                 `yaml:"operationId"`
	Description string                 `yaml:"description"`
	Roles       []string               `yaml:"x-roles"`
	Security    *[]map[string][]string `yaml:"security"`
	Parameters  []openAPIParameter     `yaml:"parameters"`
	RequestBody map[string]any         `yaml:"requestBody"`
	Responses   map[string]struct {
		Ref     string `yaml:"$ref"`
		Content map[string]struct {
			Schema struct {
				Ref string `yaml:"$ref"`
			} `yaml:"schema"`
		} `yaml:"content"`
	} `yaml:"responses"`
}

type openAPISchema struct {
	Required   []string       `yaml:"required"`
	Properties map[string]any `yaml:"properties"`
}

type openAPIDocument struct {
	OpenAPI string `yaml:"openapi"`
	Info    struct {
		Title   string `yaml:"title"`
		Version string `yaml:"version"`
	} `yaml:"info"`
	Paths      map[string]map[string]openAPIOperation `yaml:"paths"`
	Components struct {
		Schemas         map[string]openAPISchema `yaml:"schemas"`
		SecuritySchemes map[string]struct {
			Type   string `yaml:"type"`
			Scheme string `yaml:"scheme"`
		} `yaml:"securitySchemes"`
	} `yaml:"components"`
}

func readOpenAPI(t *testing.T) ([]byte, openAPIDocument) {
	t.Helper()
	raw, err := os.ReadFile("openapi.yaml")
	require.NoError(t, err)
	var doc openAPIDocument
	require.NoError(t, yaml.Unmarshal(raw, &doc), "openapi.yaml must parse")
	return raw, doc
}

var httpMethods = map[string]bool{"get": true, "put": true, "post": true, "delete": true, "options": true, "head": true, "patch": true, "trace": true}

// documentedOperations lists the document's operations as "METHOD /path".
func documentedOperations(t *testing.T, doc openAPIDocument) map[string]openAPIOperation {
	t.Helper()
	out := map[string]openAPIOperation{}
	for path, item := range doc.Paths {
		for method, op := range item {
			require.True(t, httpMethods[method], "%s: %q is not an HTTP method", path, method)
			out[strings.ToUpper(method)+" "+path] = op
		}
	}
	return out
}

func TestOpenAPIDocumentIsOpenAPI3WithResolvableRefs(t *testing.T) {
	raw, doc := readOpenAPI(t)
	require.Regexp(t, `^3\.\d+\.\d+$`, doc.OpenAPI)
	require.NotEmpty(t, doc.Info.Title)
	require.NotEmpty(t, doc.Info.Version)
	require.Equal(t, "http", doc.Components.SecuritySchemes["bearerAuth"].Type)
	require.Equal(t, "bearer", doc.Components.SecuritySchemes["bearerAuth"].Scheme)

	var generic map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &generic))
	var refs []string
	var walk func(any)
	walk = func(n any) {
		switch v := n.(type) {
		case map[string]any:
			for k, x := range v {
				if s, ok := x.(string); ok && k == "$ref" {
					refs = append(refs, s)
				}
				walk(x)
			}
		case []any:
			for _, x := range v {
				walk(x)
			}
		}
	}
	walk(generic)
	require.NotEmpty(t, refs)
	for _, ref := range refs {
		parts := strings.Split(strings.TrimPrefix(ref, "#/"), "/")
		require.True(t, strings.HasPrefix(ref, "#/"), "only local refs: %s", ref)
		var node any = generic
		for _, p := range parts {
			m, ok := node.(map[string]any)
			require.True(t, ok, "%s does not resolve", ref)
			node, ok = m[p]
			require.True(t, ok, "%s does not resolve", ref)
		}
	}
}

// TestOpenAPIAndRouterAgree: the routes are generated from the document
// (go generate), so they agree by construction; this catches a router
// built by hand beside them, or generated code older than the document
// (CI also regenerates and diffs).
func TestOpenAPIAndRouterAgree(t *testing.T) {
	_, doc := readOpenAPI(t)
	documented := documentedOperations(t, doc)
	routed := routedOperations(t)
	for op := range routed {
		_, ok := documented[op]
		require.True(t, ok, "%s is routed but not in api/openapi.yaml", op)
	}
	for op := range documented {
		require.True(t, routed[op], "%s is in api/openapi.yaml but not routed: run go generate ./...", op)
	}
}

// TestOpenAPIOperationsFollowTheAPIConventions checks what the design
// promises of every operation: roles, bearer auth and problem answers,
// Idempotency-Key on POSTs, limit and cursor on lists.
func TestOpenAPIOperationsFollowTheAPIConventions(t *testing.T) {
	_, doc := readOpenAPI(t)
	var lists []string
	ids := map[string]string{}
	for key, op := range documentedOperations(t, doc) {
		method, path, _ := strings.Cut(key, " ")
		require.NotEmpty(t, op.OperationID, key)
		require.NotContains(t, ids, op.OperationID, "%s: operationId is also %s's", key, ids[op.OperationID])
		ids[op.OperationID] = key

		params := map[string]bool{}
		for _, p := range op.Parameters {
			name := p.Name
			if p.Ref != "" {
				name = p.Ref[strings.LastIndex(p.Ref, "/")+1:]
			}
			params[name] = true
		}
		if strings.Contains(path, "{id}") {
			require.True(t, params["ID"] || params["id"], "%s: the id path parameter", key)
		}

		if !strings.HasPrefix(path, "/api/v1/") {
			require.NotNil(t, op.Security, "%s is outside /api/v1: security: []", key)
			require.Empty(t, *op.Security, key)
			continue
		}
		require.Nil(t, op.Security, "%s inherits the bearer security", key)
		require.NotEmpty(t, op.Roles, "%s: x-roles", key)
		require.Contains(t, op.Description, "Roles: ", "%s: the description names the roles", key)
		for _, status := range []string{"401", "403"} {
			require.Contains(t, op.Responses, status, key)
		}
		for status, r := range op.Responses {
			if status[0] == '4' || status[0] == '5' {
				require.Regexp(t, `^#/components/responses/`, r.Ref, "%s %s: a problem response", key, status)
			}
		}
		if method == http.MethodPost {
			require.True(t, params["IdempotencyKey"], "%s: every POST accepts Idempotency-Key", key)
			require.NotNil(t, op.RequestBody, "%s: request body", key)
			for _, status := range []string{"400", "413", "415", "422"} {
				require.Contains(t, op.Responses, status, "%s: bad bodies", key)
			}
		}
		for status, r := range op.Responses {
			if status[0] == '2' && strings.HasSuffix(r.Content["application/json"].Schema.Ref, "Page") {
				lists = append(lists, key)
				require.True(t, params["Limit"] && params["Cursor"], "%s is a list: limit and cursor", key)
			}
		}
	}
	sort.Strings(lists)
	require.Equal(t, []string{
		"GET /api/v1/accounts", "GET /api/v1/accounts/{id}/timeline",
		"GET /api/v1/credit-requests", "GET /api/v1/emails",
		"GET /api/v1/escalations", "GET /api/v1/invoices",
		"GET /api/v1/replies", "GET /api/v1/users",
	}, lists)
}

// TestOpenAPISchemasMatchTheGoTypes: the JSON the API writes is the JSON
// the document describes, field by field; a field without omitempty is
// always there, so it is required.
func TestOpenAPISchemasMatchTheGoTypes(t *testing.T) {
	_, doc := readOpenAPI(t)
	for name, v := range map[string]any{
		"CreditRequest":        credit.CreditRequest{},
		"CreditRequestPreview": policy.Score{},
		"Decision":             credit.Decision{},
		"Prospect":             credit.Prospect{},
		"Account":              credit.Account{},
		"TimelineEntry":        credit.TimelineEntry{},
		"Problem":              api.Problem{},
		"FieldProblem":         api.FieldProblem{},
		"OutboxEmail":          store.OutboxEmail{},
		"Invoice":              credit.Invoice{},
		"DunningStep":          credit.DunningStep{},
		"Dispute":              credit.Dispute{},
		"Escalation":           credit.Escalation{},
		"Note":                 credit.Note{},
		"CreditCheck":          credit.CreditCheck{},
		"ImportReport":         api.ImportReport{},
		"Reply":                credit.Reply{},
		"Attachment":           credit.Attachment{},
		"EventsReport":         api.EventsReport{},
		"InboundReceipt":       api.InboundReceipt{},
		// The receivables report's.
		"ReceivablesReport":   store.ReceivablesReport{},
		"Period":              store.Period{},
		"CurrencyReceivables": store.CurrencyReceivables{},
		"Aging":               store.Aging{},
		"AgingBucket":         store.AgingBucket{},
		"CollectionFigures":   store.CollectionFigures{},
		"RepReceivables":      store.RepReceivables{},
		"DecisionFigures":     store.DecisionFigures{},
		"DigestRun":           api.DigestRun{},
		"ImportPacing":        api.ImportPacing{},
		"User":                credit.User{},
		"Condition":           credit.Condition{},
		"Hold":                credit.Hold{},
		"RecordedPayment":     credit.Payment{},
		"RecordedPromise":     credit.RecordedPromise{},
	} {
		schema, ok := doc.Components.Schemas[name]
		require.True(t, ok, "schema %s", name)
		var fields, required []string
		typ := reflect.TypeOf(v)
		for i := range typ.NumField() {
			tag := typ.Field(i).Tag.Get("json")
			field, opts, _ := strings.Cut(tag, ",")
			if field == "-" || field == "" {
				continue
			}
			fields = append(fields, field)
			if !strings.Contains(opts, "omitempty") {
				required = append(required, field)
			}
		}
		var properties []string
		for p := range schema.Properties {
			properties = append(properties, p)
		}
		require.ElementsMatch(t, fields, properties, "%s: properties vs %s's JSON fields", name, typ)
		require.ElementsMatch(t, required, schema.Required, "%s: required vs fields without omitempty", name)
	}

	money := doc.Components.Schemas["Money"]
	require.ElementsMatch(t, []string{"amount", "currency"}, money.Required)
	amount, _ := money.Properties["amount"].(map[string]any)
	require.Equal(t, "string", amount["type"], "money is a decimal string, never a float")
	pattern := regexp.MustCompile(amount["pattern"].(string))
	for _, ok := range []string{"12500.00", "0", "1.5", "12.345"} {
		require.True(t, pattern.MatchString(ok), ok)
	}
	for _, bad := range []string{"-1.00", "12.5e3", "1,000.00", "", "12.", "99999999999999999999999.00"} {
		require.False(t, pattern.MatchString(bad), bad)
	}
	for name, s := range doc.Components.Schemas {
		for _, r := range s.Required {
			require.Contains(t, s.Properties, r, "%s requires %s, which it does not define", name, r)
		}
	}
	for _, status := range []string{credit.StatusScoring, credit.StatusPendingReview, credit.StatusApproved,
		credit.StatusApprovedWithConditions, credit.StatusDeclined, credit.StatusExpired, credit.StatusWithdrawn} {
		require.Contains(t, enumOf(t, "CreditRequestStatus"), status)
	}
	require.ElementsMatch(t, credit.Conditions, enumOf(t, "ConditionType"))
	require.ElementsMatch(t, credit.Departments, enumOf(t, "Department"), "the document's enumeration is what the API accepts")
	require.ElementsMatch(t, credit.Roles, enumOf(t, "Role"))
	require.ElementsMatch(t, email.Kinds, enumOf(t, "EmailKind"), "the desk's outbox offers the kinds the API filters by")
}

func enumOf(t *testing.T, schema string) []string {
	t.Helper()
	raw, _ := readOpenAPI(t)
	var doc struct {
		Components struct {
			Schemas map[string]struct {
				Enum []string `yaml:"enum"`
			} `yaml:"schemas"`
		} `yaml:"components"`
	}
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	return doc.Components.Schemas[schema].Enum
}

func TestOpenAPIDocumentIsServed(t *testing.T) {
	raw, _ := readOpenAPI(t)
	rec := httptest.NewRecorder()
	router().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.yaml", nil))
	require.Equal(t, http.StatusOK, rec.Code)
	require.Equal(t, "application/yaml", rec.Header().Get("Content-Type"))
	require.Equal(t, string(raw), rec.Body.String(), "the embedded document is the file")
}
