package api_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// Bad input never yields a 500: every case below must be answered with a
// 4xx problem document that, for a field, names it as the body spells it.

// badInput is one malformed request. body is sent as JSON unless it is a
// string (sent as is). status 0 accepts any 4xx; fields must all be named
// in the problem's errors.
type badInput struct {
	name    string
	body    any
	status  int
	fields  []string
	headers []string
}

// requireBadInput checks the answer to a bad request.
func requireBadInput(t *testing.T, resp testenv.Response, c badInput) {
	t.Helper()
	body := string(resp.Body[:min(len(resp.Body), 400)])
	require.GreaterOrEqual(t, resp.Status, 400, "%s: %s", c.name, body)
	require.Less(t, resp.Status, 500, "%s: %s", c.name, body)
	if c.status != 0 {
		require.Equal(t, c.status, resp.Status, "%s: %s", c.name, body)
	}
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), c.name)
	var p api.Problem
	resp.JSON(t, &p)
	require.Equal(t, resp.Status, p.Status, c.name)
	require.NotEmpty(t, p.Type, c.name)
	require.NotEmpty(t, p.Title, c.name)
	require.NotEmpty(t, p.Instance, c.name)
	named := make([]string, 0, len(p.Errors))
	for _, e := range p.Errors {
		require.NotEmpty(t, e.Detail, "%s: %s has no detail", c.name, e.Field)
		named = append(named, e.Field)
	}
	for _, f := range c.fields {
		require.Contains(t, named, f, "%s: the problem names the field (%s)", c.name, body)
	}
	require.Less(t, len(p.Title)+len(p.Detail), 1024, "%s: the answer does not echo a huge input", c.name)
}

// with returns a deep copy of body with the dotted path set to value, or
// removed when value is deleteField.
func with(t *testing.T, body map[string]any, path string, value any) map[string]any {
	t.Helper()
	b, err := json.Marshal(body)
	require.NoError(t, err)
	var out map[string]any
	require.NoError(t, json.Unmarshal(b, &out))
	node := out
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := node[p].(map[string]any)
		require.True(t, ok, "%s is not an object in the base body", p)
		node = next
	}
	if _, del := value.(deleteMarker); del {
		delete(node, parts[len(parts)-1])
	} else {
		node[parts[len(parts)-1]] = value
	}
	return out
}

type deleteMarker struct{}

var deleteField = deleteMarker{}

var (
	long10k     = strings.Repeat("x", 10_000)
	hugeAmount  = "99999999999999999999999.00"
	overMaximum = "1000000000000.01" // a trillion is the most any amount may be
)

// malformedBodies apply to every endpoint that takes a JSON object.
var malformedBodies = []badInput{
	{name: "malformed JSON", body: `{"outcome": "approve",`, status: http.StatusBadRequest, fields: []string{"body"}},
	{name: "syntax error", body: `{outcome: approve}`, status: http.StatusBadRequest, fields: []string{"body"}},
	{name: "not JSON", body: `hello`, status: http.StatusBadRequest, fields: []string{"body"}},
	{name: "a JSON array", body: `[]`, fields: []string{"body"}},
	{name: "an array of objects", body: `[{"reason": "x"}]`, fields: []string{"body"}},
	{name: "a JSON string", body: `"approve"`, fields: []string{"body"}},
	{name: "a JSON number", body: `42`, fields: []string{"body"}},
	{name: "trailing data", body: `{"reason": "x"} {"reason": "y"}`, status: http.StatusBadRequest, fields: []string{"body"}},
	{name: "a body over 1 MiB", body: `{"reason": "` + strings.Repeat("x", 2<<20) + `"}`, status: http.StatusRequestEntityTooLarge},
	{name: "a body sent as text/plain", body: `{}`, headers: []string{"Content-Type", "text/plain"}, status: http.StatusUnsupportedMediaType},
	{name: "a body sent as a form", body: `reason=x`, headers: []string{"Content-Type", "application/x-www-form-urlencoded"}, status: http.StatusUnsupportedMediaType},
	{name: "an Idempotency-Key over 255 characters", body: `{}`, headers: []string{"Idempotency-Key", strings.Repeat("k", 256)},
		status: http.StatusBadRequest, fields: []string{"Idempotency-Key"}},
	{name: "an Idempotency-Key that is not UTF-8", body: `{}`, headers: []string{"Idempotency-Key", "key-\xff\xfe"},
		status: http.StatusBadRequest, fields: []string{"Idempotency-Key"}},
}

func TestCreditRequestBodiesAreValidated(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	base := preApproval("50000.00")
	post := func(t *testing.T, c badInput) testenv.Response {
		return svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, c.body, c.headers...)
	}

	resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.Rep, base)
	require.Equal(t, http.StatusAccepted, resp.Status, "the base body is valid: %s", resp.Body)
	var prospect credit.CreditRequest
	resp.JSON(t, &prospect)

	limitIncrease := map[string]any{
		"kind": "limit_increase", "account_id": prospect.AccountID, "reason": "more orders",
		"requested_limit": map[string]any{"amount": "90000.00", "currency": "EUR"},
	}
	cases := append([]badInput{}, malformedBodies...)
	cases = append(cases, []badInput{
		{name: "null", body: `null`, fields: []string{"kind", "requested_limit"}},
		{name: "empty object", body: `{}`, fields: []string{"kind", "requested_limit"}},

		// Wrong types, each named by its path.
		{name: "kind is a number", body: with(t, base, "kind", 5), fields: []string{"kind"}},
		{name: "kind is an object", body: with(t, base, "kind", map[string]any{}), fields: []string{"kind"}},
		{name: "reason is a number", body: with(t, base, "reason", 5), fields: []string{"reason"}},
		{name: "reason is an object", body: with(t, base, "reason", map[string]any{"a": 1}), fields: []string{"reason"}},
		{name: "account_id is a number", body: with(t, limitIncrease, "account_id", 5), fields: []string{"account_id"}},
		{name: "prospect is a string", body: with(t, base, "prospect", "Acme"), fields: []string{"prospect"}},
		{name: "prospect is an array", body: with(t, base, "prospect", []any{}), fields: []string{"prospect"}},
		{name: "prospect.name is a number", body: with(t, base, "prospect.name", 5), fields: []string{"prospect.name"}},
		{name: "prospect.name is an object", body: with(t, base, "prospect.name", map[string]any{}), fields: []string{"prospect.name"}},
		{name: "prospect.registration_number is a bool", body: with(t, base, "prospect.registration_number", true), fields: []string{"prospect.registration_number"}},
		{name: "prospect.country is a number", body: with(t, base, "prospect.country", 49), fields: []string{"prospect.country"}},
		{name: "prospect.billing_email is an array", body: with(t, base, "prospect.billing_email", []string{"a@b.example"}), fields: []string{"prospect.billing_email"}},
		{name: "prospect.time_zone is a number", body: with(t, base, "prospect.time_zone", 1), fields: []string{"prospect.time_zone"}},
		{name: "years_in_business is a string", body: with(t, base, "prospect.years_in_business", "7"), fields: []string{"prospect.years_in_business"}},
		{name: "years_in_business is a float", body: with(t, base, "prospect.years_in_business", 7.5), fields: []string{"prospect.years_in_business"}},
		{name: "years_in_business is huge", body: `{"kind":"pre_approval","prospect":{"years_in_business":1e30}}`, fields: []string{"prospect.years_in_business"}},
		{name: "years_in_business overflows int64", body: `{"kind":"pre_approval","prospect":{"years_in_business":99999999999999999999}}`, fields: []string{"prospect.years_in_business"}},
		{name: "years_in_business is an object", body: with(t, base, "prospect.years_in_business", map[string]any{}), fields: []string{"prospect.years_in_business"}},
		{name: "trade_references is a string", body: with(t, base, "prospect.trade_references", "2"), fields: []string{"prospect.trade_references"}},
		{name: "requested_limit is a string", body: with(t, base, "requested_limit", "50000.00"), fields: []string{"requested_limit"}},
		{name: "requested_limit is a number", body: with(t, base, "requested_limit", 50000), fields: []string{"requested_limit"}},
		{name: "requested_limit is an array", body: with(t, base, "requested_limit", []any{"50000.00", "EUR"}), fields: []string{"requested_limit"}},
		{name: "annual_revenue is a string", body: with(t, base, "prospect.annual_revenue", "2500000.00"), fields: []string{"prospect.annual_revenue"}},

		// Money: decimal strings only, positive, bounded, known currency.
		{name: "amount is a float", body: with(t, base, "requested_limit", map[string]any{"amount": 12.5, "currency": "EUR"}), fields: []string{"requested_limit.amount"}},
		{name: "amount is an integer", body: with(t, base, "requested_limit.amount", 50000), fields: []string{"requested_limit.amount"}},
		{name: "amount is a bool", body: with(t, base, "requested_limit.amount", true), fields: []string{"requested_limit.amount"}},
		{name: "amount is an object", body: with(t, base, "requested_limit.amount", map[string]any{}), fields: []string{"requested_limit.amount"}},
		{name: "amount is null", body: with(t, base, "requested_limit.amount", nil), fields: []string{"requested_limit.amount"}},
		{name: "amount is empty", body: with(t, base, "requested_limit.amount", ""), fields: []string{"requested_limit.amount"}},
		{name: "amount is negative", body: with(t, base, "requested_limit.amount", "-50000.00"), fields: []string{"requested_limit.amount"}},
		{name: "amount is zero", body: with(t, base, "requested_limit.amount", "0.00"), fields: []string{"requested_limit.amount"}},
		{name: "amount is absurdly large", body: with(t, base, "requested_limit.amount", hugeAmount), fields: []string{"requested_limit.amount"}},
		{name: "amount is over the maximum", body: with(t, base, "requested_limit.amount", overMaximum), fields: []string{"requested_limit.amount"}},
		{name: "amount in exponent notation", body: with(t, base, "requested_limit.amount", "5e4"), fields: []string{"requested_limit.amount"}},
		{name: "amount with a thousands separator", body: with(t, base, "requested_limit.amount", "50,000.00"), fields: []string{"requested_limit.amount"}},
		{name: "amount with too many decimals", body: with(t, base, "requested_limit.amount", "50000.001"), fields: []string{"requested_limit.amount"}},
		{name: "amount in other digits", body: with(t, base, "requested_limit.amount", "٥٠٠٠٠"), fields: []string{"requested_limit.amount"}},
		{name: "amount in hex", body: with(t, base, "requested_limit.amount", "0x10"), fields: []string{"requested_limit.amount"}},
		{name: "annual revenue is a float", body: with(t, base, "prospect.annual_revenue.amount", 2500000.5), fields: []string{"prospect.annual_revenue.amount"}},
		{name: "annual revenue is negative", body: with(t, base, "prospect.annual_revenue.amount", "-1.00"), fields: []string{"prospect.annual_revenue.amount"}},
		{name: "annual revenue is absurdly large", body: with(t, base, "prospect.annual_revenue.amount", hugeAmount), fields: []string{"prospect.annual_revenue.amount"}},
		{name: "currency XXX", body: with(t, base, "requested_limit.currency", "XXX"), fields: []string{"requested_limit.currency"}},
		{name: "currency in lower case", body: with(t, base, "requested_limit.currency", "eur"), fields: []string{"requested_limit.currency"}},
		{name: "currency empty", body: with(t, base, "requested_limit.currency", ""), fields: []string{"requested_limit.currency"}},
		{name: "currency too long", body: with(t, base, "requested_limit.currency", "EURO"), fields: []string{"requested_limit.currency"}},
		{name: "currency is a number", body: with(t, base, "requested_limit.currency", 978), fields: []string{"requested_limit.currency"}},
		{name: "currency is null", body: with(t, base, "requested_limit.currency", nil), fields: []string{"requested_limit.currency"}},
		{name: "annual revenue currency XXX", body: with(t, base, "prospect.annual_revenue.currency", "XXX"), fields: []string{"prospect.annual_revenue.currency"}},
		{name: "annual revenue currency eur", body: with(t, base, "prospect.annual_revenue.currency", "eur"), fields: []string{"prospect.annual_revenue.currency"}},
		{name: "annual revenue currency empty", body: with(t, base, "prospect.annual_revenue.currency", ""), fields: []string{"prospect.annual_revenue.currency"}},
		{name: "annual revenue in another currency", body: with(t, base, "prospect.annual_revenue.currency", "USD"), fields: []string{"prospect.annual_revenue.currency"}},

		// Oversized strings.
		{name: "huge prospect.name", body: with(t, base, "prospect.name", long10k), fields: []string{"prospect.name"}},
		{name: "huge reason", body: with(t, base, "reason", long10k), fields: []string{"reason"}},
		{name: "huge registration_number", body: with(t, base, "prospect.registration_number", long10k), fields: []string{"prospect.registration_number"}},
		{name: "huge billing_email", body: with(t, base, "prospect.billing_email", long10k+"@acme.example"), fields: []string{"prospect.billing_email"}},
		{name: "huge country", body: with(t, base, "prospect.country", long10k), fields: []string{"prospect.country"}},
		{name: "huge time_zone", body: with(t, base, "prospect.time_zone", long10k), fields: []string{"prospect.time_zone"}},
		{name: "huge kind", body: with(t, base, "kind", long10k), fields: []string{"kind"}},
		{name: "huge account_id", body: with(t, limitIncrease, "account_id", long10k), fields: []string{"account_id"}},

		// Text Postgres cannot store, and other bad values.
		{name: "NUL in prospect.name", body: with(t, base, "prospect.name", "Acme\u0000Tools"), fields: []string{"prospect.name"}},
		{name: "NUL in reason", body: with(t, base, "reason", "soon\u0000"), fields: []string{"reason"}},
		{name: "NUL in registration_number", body: with(t, base, "prospect.registration_number", "HRB\u0000"), fields: []string{"prospect.registration_number"}},
		{name: "NUL in billing_email", body: with(t, base, "prospect.billing_email", "billing\u0000@acme.example"), fields: []string{"prospect.billing_email"}},
		{name: "NUL in time_zone", body: with(t, base, "prospect.time_zone", "Europe/Berlin\u0000"), fields: []string{"prospect.time_zone"}},
		{name: "NUL in account_id", body: with(t, limitIncrease, "account_id", "acc_\u0000"), fields: []string{"account_id"}},
		{name: "unknown kind", body: with(t, base, "kind", "loan"), fields: []string{"kind"}},
		{name: "country not ISO 3166", body: with(t, base, "prospect.country", "Germany"), fields: []string{"prospect.country"}},
		{name: "billing_email not an email", body: with(t, base, "prospect.billing_email", "billing at acme"), fields: []string{"prospect.billing_email"}},
		{name: "unknown time zone", body: with(t, base, "prospect.time_zone", "Mars/Olympus_Mons"), fields: []string{"prospect.time_zone"}},
		{name: "time zone path traversal", body: with(t, base, "prospect.time_zone", "../../../etc/passwd"), fields: []string{"prospect.time_zone"}},
		{name: "negative years_in_business", body: with(t, base, "prospect.years_in_business", -1), fields: []string{"prospect.years_in_business"}},
		{name: "years_in_business over 500", body: with(t, base, "prospect.years_in_business", 501), fields: []string{"prospect.years_in_business"}},
		{name: "negative trade_references", body: with(t, base, "prospect.trade_references", -1), fields: []string{"prospect.trade_references"}},
		{name: "trade_references over 100", body: with(t, base, "prospect.trade_references", 101), fields: []string{"prospect.trade_references"}},

		// Unknown fields, at every depth.
		{name: "unknown field", body: with(t, base, "colour", "blue"), fields: []string{"colour"}},
		{name: "unknown field in prospect", body: with(t, base, "prospect.colour", "blue"), fields: []string{"prospect.colour"}},
		{name: "unknown field in requested_limit", body: with(t, base, "requested_limit.cents", 5), fields: []string{"requested_limit.cents"}},
		{name: "unknown field in annual_revenue", body: with(t, base, "prospect.annual_revenue.cents", 5), fields: []string{"prospect.annual_revenue.cents"}},

		// Missing required fields.
		{name: "no kind", body: with(t, base, "kind", deleteField), fields: []string{"kind"}},
		{name: "no requested_limit", body: with(t, base, "requested_limit", deleteField), fields: []string{"requested_limit"}},
		{name: "null requested_limit", body: with(t, base, "requested_limit", nil), fields: []string{"requested_limit"}},
		{name: "no amount", body: with(t, base, "requested_limit.amount", deleteField), fields: []string{"requested_limit.amount"}},
		{name: "no currency", body: with(t, base, "requested_limit.currency", deleteField), fields: []string{"requested_limit.currency"}},
		{name: "no prospect", body: with(t, base, "prospect", deleteField), fields: []string{"prospect"}},
		{name: "no prospect.name", body: with(t, base, "prospect.name", deleteField), fields: []string{"prospect.name"}},
		{name: "blank prospect.name", body: with(t, base, "prospect.name", "   "), fields: []string{"prospect.name"}},
		{name: "no registration_number", body: with(t, base, "prospect.registration_number", deleteField), fields: []string{"prospect.registration_number"}},
		{name: "no country", body: with(t, base, "prospect.country", deleteField), fields: []string{"prospect.country"}},
		{name: "no billing_email", body: with(t, base, "prospect.billing_email", deleteField), fields: []string{"prospect.billing_email"}},
		{name: "no annual_revenue", body: with(t, base, "prospect.annual_revenue", deleteField), fields: []string{"prospect.annual_revenue"}},
		{name: "no years_in_business", body: with(t, base, "prospect.years_in_business", deleteField), fields: []string{"prospect.years_in_business"}},
		{name: "no trade_references", body: with(t, base, "prospect.trade_references", deleteField), fields: []string{"prospect.trade_references"}},
		{name: "several missing at once", body: with(t, with(t, base, "prospect.name", deleteField), "requested_limit.currency", deleteField),
			fields: []string{"prospect.name", "requested_limit.currency"}},

		// Kinds and their companions.
		{name: "pre_approval with an account_id", body: with(t, base, "account_id", prospect.AccountID), fields: []string{"account_id"}},
		{name: "limit_increase without account_id", body: with(t, limitIncrease, "account_id", deleteField), fields: []string{"account_id"}},
		{name: "limit_increase with a prospect", body: with(t, limitIncrease, "prospect", base["prospect"]), fields: []string{"prospect"}},
		{name: "limit_increase of an unknown account", body: with(t, limitIncrease, "account_id", "acc_unknown"), status: http.StatusUnprocessableEntity, fields: []string{"account_id"}},
		{name: "limit_increase of a prospect", body: limitIncrease, status: http.StatusConflict},
		{name: "limit_increase with a float", body: with(t, limitIncrease, "requested_limit.amount", 90000.5), fields: []string{"requested_limit.amount"}},
	}...)

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			requireBadInput(t, post(t, c), c)
		})
	}

	// A missing amount is shown as it should be written.
	for _, missing := range []string{"requested_limit", "prospect.annual_revenue"} {
		var p api.Problem
		post(t, badInput{body: with(t, base, missing, deleteField)}).JSON(t, &p)
		require.Contains(t, p.Errors, api.FieldProblem{Field: missing,
			Detail: `is required, e.g. {"amount": "12500.00", "currency": "EUR"}`}, missing)
	}

	var list struct{ Items []credit.CreditRequest }
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests", testenv.Admin, nil).JSON(t, &list)
	require.Len(t, list.Items, 1, "no bad request was recorded")
}

func TestDecisionAndWithdrawalBodiesAreValidated(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	require.Equal(t, credit.StatusPendingReview, r.Status)
	decision := "/api/v1/credit-requests/" + r.ID + "/decision"
	approve := map[string]any{
		"outcome":        "approve",
		"approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
		"reason":         "solid",
	}
	withConditions := with(t, approve, "outcome", "approve_with_conditions")
	decline := map[string]any{"outcome": "decline", "reason": "too young"}

	t.Run("decision", func(t *testing.T) {
		cases := append([]badInput{}, malformedBodies...)
		cases = append(cases, []badInput{
			{name: "empty object", body: `{}`, fields: []string{"outcome"}},
			{name: "null", body: `null`, fields: []string{"outcome"}},
			{name: "outcome is a number", body: with(t, approve, "outcome", 1), fields: []string{"outcome"}},
			{name: "outcome is an object", body: with(t, approve, "outcome", map[string]any{}), fields: []string{"outcome"}},
			{name: "unknown outcome", body: with(t, approve, "outcome", "maybe"), fields: []string{"outcome"}},
			{name: "huge outcome", body: with(t, approve, "outcome", long10k), fields: []string{"outcome"}},
			{name: "no outcome", body: with(t, approve, "outcome", deleteField), fields: []string{"outcome"}},
			{name: "approve without approved_limit", body: with(t, approve, "approved_limit", deleteField), fields: []string{"approved_limit"}},
			{name: "approved_limit is a string", body: with(t, approve, "approved_limit", "40000.00"), fields: []string{"approved_limit"}},
			{name: "approved_limit is a number", body: with(t, approve, "approved_limit", 40000), fields: []string{"approved_limit"}},
			{name: "approved_limit amount is a float", body: with(t, approve, "approved_limit.amount", 40000.5), fields: []string{"approved_limit.amount"}},
			{name: "approved_limit amount is negative", body: with(t, approve, "approved_limit.amount", "-40000.00"), fields: []string{"approved_limit.amount"}},
			{name: "approved_limit amount is zero", body: with(t, approve, "approved_limit.amount", "0"), fields: []string{"approved_limit.amount"}},
			{name: "approved_limit amount is absurdly large", body: with(t, approve, "approved_limit.amount", hugeAmount), fields: []string{"approved_limit.amount"}},
			{name: "approved_limit amount over the maximum", body: with(t, approve, "approved_limit.amount", overMaximum), fields: []string{"approved_limit.amount"}},
			{name: "approved_limit above the requested limit", body: with(t, approve, "approved_limit.amount", "60000.00"),
				status: http.StatusUnprocessableEntity, fields: []string{"approved_limit"}},
			{name: "approved_limit currency XXX", body: with(t, approve, "approved_limit.currency", "XXX"), fields: []string{"approved_limit.currency"}},
			{name: "approved_limit currency eur", body: with(t, approve, "approved_limit.currency", "eur"), fields: []string{"approved_limit.currency"}},
			{name: "approved_limit currency empty", body: with(t, approve, "approved_limit.currency", ""), fields: []string{"approved_limit.currency"}},
			{name: "approved_limit in another currency", body: with(t, approve, "approved_limit.currency", "USD"), fields: []string{"approved_limit.currency"}},
			{name: "approved_limit unknown field", body: with(t, approve, "approved_limit.cents", 1), fields: []string{"approved_limit.cents"}},
			{name: "conditions is a string", body: with(t, withConditions, "conditions", "deposit"), fields: []string{"conditions"}},
			{name: "conditions holds a number", body: with(t, withConditions, "conditions", []any{5}), fields: []string{"conditions"}},
			{name: "unknown condition", body: with(t, withConditions, "conditions", []string{"deposit", "gold_bars"}), fields: []string{"conditions[1]"}},
			{name: "huge condition", body: with(t, withConditions, "conditions", []string{long10k}), fields: []string{"conditions[0]"}},
			{name: "approve_with_conditions without conditions", body: withConditions, fields: []string{"conditions"}},
			{name: "approve with conditions", body: with(t, approve, "conditions", []string{"deposit"}), fields: []string{"conditions"}},
			{name: "decline without reason", body: with(t, decline, "reason", deleteField), fields: []string{"reason"}},
			{name: "decline with a blank reason", body: with(t, decline, "reason", "  "), fields: []string{"reason"}},
			{name: "reason is a number", body: with(t, decline, "reason", 5), fields: []string{"reason"}},
			{name: "huge reason", body: with(t, decline, "reason", long10k), fields: []string{"reason"}},
			{name: "NUL in reason", body: with(t, decline, "reason", "no\u0000"), fields: []string{"reason"}},
			{name: "unknown field", body: with(t, decline, "colour", "red"), fields: []string{"colour"}},
		}...)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				requireBadInput(t, svc.Call(t, http.MethodPost, decision, testenv.Analyst, c.body, c.headers...), c)
			})
		}
	})

	t.Run("withdrawal", func(t *testing.T) {
		withdraw := "/api/v1/credit-requests/" + r.ID + "/withdraw"
		cases := append([]badInput{}, malformedBodies...)
		cases = append(cases, []badInput{
			{name: "reason is a number", body: map[string]any{"reason": 5}, fields: []string{"reason"}},
			{name: "reason is an array", body: map[string]any{"reason": []string{"a"}}, fields: []string{"reason"}},
			{name: "huge reason", body: map[string]any{"reason": long10k}, fields: []string{"reason"}},
			{name: "NUL in reason", body: map[string]any{"reason": "lost\u0000"}, fields: []string{"reason"}},
			{name: "unknown field", body: map[string]any{"reason": "lost", "colour": "red"}, fields: []string{"colour"}},
		}...)
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				requireBadInput(t, svc.Call(t, http.MethodPost, withdraw, testenv.Rep, c.body, c.headers...), c)
			})
		}
	})

	t.Run("unknown ids", func(t *testing.T) {
		for _, id := range unknownIDs {
			for _, c := range []struct {
				path, user string
				body       any
			}{
				{"/api/v1/credit-requests/" + id + "/decision", testenv.Analyst, decline},
				{"/api/v1/credit-requests/" + id + "/withdraw", testenv.Rep, map[string]any{"reason": "lost"}},
			} {
				requireBadInput(t, svc.Call(t, http.MethodPost, c.path, c.user, c.body), badInput{name: c.path, status: http.StatusNotFound})
			}
		}
	})

	svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Admin, nil).JSON(t, &r)
	require.Equal(t, credit.StatusPendingReview, r.Status, "no bad decision or withdrawal got through")
	require.Nil(t, r.Decision)
}

// unknownIDs are path ids that name nothing, some of them not even text
// that Postgres would store.
var unknownIDs = []string{
	"cr_unknown", "acc_unknown", "0", "%00", "x%00y", "%FF", "%C3%28", "%E2%80%AE", url.PathEscape(strings.Repeat("x", 5000)),
	"..%2F..%2Fetc", "%20", "'%20OR%201=1--",
}

func TestQueryParametersAndUnknownIDs(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")

	badCursor := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	pageCases := []badInput{
		{name: "limit=abc", status: http.StatusBadRequest, fields: []string{"limit"}},
		{name: "limit=0", status: http.StatusBadRequest, fields: []string{"limit"}},
		{name: "limit=-1", status: http.StatusBadRequest, fields: []string{"limit"}},
		{name: "limit=201", status: http.StatusBadRequest, fields: []string{"limit"}},
		{name: "limit=1.5", status: http.StatusBadRequest, fields: []string{"limit"}},
		{name: "limit=99999999999999999999", status: http.StatusBadRequest, fields: []string{"limit"}},
		{name: "limit=%00", status: http.StatusBadRequest, fields: []string{"limit"}},
		{name: "cursor=not-a-cursor!", status: http.StatusBadRequest, fields: []string{"cursor"}},
		{name: "cursor=-1", status: http.StatusBadRequest, fields: []string{"cursor"}},
		{name: "cursor=%00", status: http.StatusBadRequest, fields: []string{"cursor"}},
		{name: "cursor=" + strings.Repeat("A", 5000), status: http.StatusBadRequest, fields: []string{"cursor"}},
	}
	// Cursors over (created_at, id) can also be forged with a bad id or time.
	timeCursorCases := []badInput{
		{name: "cursor=" + badCursor("yesterday|cr_x"), status: http.StatusBadRequest, fields: []string{"cursor"}},
		{name: "cursor=" + badCursor("2025-01-01T00:00:00Z|"), status: http.StatusBadRequest, fields: []string{"cursor"}},
		{name: "cursor=" + badCursor("2025-01-01T00:00:00Z|cr_\x00"), status: http.StatusBadRequest, fields: []string{"cursor"}},
		{name: "cursor=" + badCursor("2025-01-01T00:00:00Z|cr_\xff"), status: http.StatusBadRequest, fields: []string{"cursor"}},
	}
	for _, c := range []struct {
		path  string
		user  string
		extra []badInput
	}{
		{"/api/v1/credit-requests", testenv.Analyst, append(append([]badInput{}, timeCursorCases...),
			badInput{name: "status=bogus", status: http.StatusUnprocessableEntity, fields: []string{"status"}},
			badInput{name: "status=%00", fields: []string{"status"}},
			badInput{name: "account_id=%00", fields: []string{"account_id"}},
			badInput{name: "account_id=%FF", fields: []string{"account_id"}},
		)},
		{"/api/v1/credit-requests", testenv.Rep, nil},
		{"/api/v1/accounts", testenv.Admin, append(append([]badInput{}, timeCursorCases...),
			badInput{name: "status=bogus", status: http.StatusUnprocessableEntity, fields: []string{"status"}},
			badInput{name: "status=ON_HOLD", status: http.StatusUnprocessableEntity, fields: []string{"status"}},
			badInput{name: "sales_rep=%00", fields: []string{"sales_rep"}},
			badInput{name: "sales_rep=%FF", fields: []string{"sales_rep"}},
		)},
		{"/api/v1/accounts/" + r.AccountID + "/timeline", testenv.Rep, nil},
		{"/api/v1/emails", testenv.Admin, []badInput{
			{name: "kind=%00", fields: []string{"kind"}},
			{name: "to=%FF", fields: []string{"to"}},
			{name: "account_id=%00", fields: []string{"account_id"}},
		}},
		{"/api/v1/invoices", testenv.Analyst, append(append([]badInput{}, timeCursorCases...),
			badInput{name: "status=bogus", status: http.StatusUnprocessableEntity, fields: []string{"status"}},
			badInput{name: "status=open&status=paid&status=open&status=paid&status=open", status: http.StatusBadRequest, fields: []string{"status"}},
			badInput{name: "account_id=%00", fields: []string{"account_id"}},
			badInput{name: "account_id=" + strings.Repeat("x", 65), status: http.StatusBadRequest, fields: []string{"account_id"}},
		)},
		{"/api/v1/invoices", testenv.Rep, nil},
		{"/api/v1/escalations", testenv.Rep, append(append([]badInput{}, timeCursorCases...),
			badInput{name: "status=bogus", status: http.StatusUnprocessableEntity, fields: []string{"status"}},
			badInput{name: "sales_rep=%FF", fields: []string{"sales_rep"}},
		)},
	} {
		for _, q := range append(append([]badInput{}, pageCases...), c.extra...) {
			path := c.path + "?" + q.name
			t.Run(path[:min(len(path), 80)]+" as "+c.user, func(t *testing.T) {
				requireBadInput(t, svc.Call(t, http.MethodGet, path, c.user, nil), q)
			})
		}
		resp := svc.Call(t, http.MethodGet, c.path+"?limit=200", c.user, nil)
		require.Equal(t, http.StatusOK, resp.Status, "%s: the largest page is fine: %s", c.path, resp.Body)
	}
	for _, q := range []badInput{
		{name: "as_of=%00", fields: []string{"as_of"}},
		{name: "as_of=2025-13-01", status: http.StatusBadRequest, fields: []string{"as_of"}},
		{name: "as_of=" + strings.Repeat("9", 5000), status: http.StatusBadRequest, fields: []string{"as_of"}},
	} {
		requireBadInput(t, svc.Call(t, http.MethodGet, "/api/v1/reports/receivables?"+q.name, testenv.Analyst, nil), q)
	}

	for _, id := range unknownIDs {
		for _, path := range []string{"/api/v1/credit-requests/" + id, "/api/v1/accounts/" + id, "/api/v1/accounts/" + id + "/timeline"} {
			t.Run("GET "+path[:min(len(path), 80)], func(t *testing.T) {
				requireBadInput(t, svc.Call(t, http.MethodGet, path, testenv.Admin, nil), badInput{name: path, status: http.StatusNotFound})
			})
		}
	}

	// Unrouted paths and methods are problems too, not Echo's plain JSON.
	// Under /api/v1 a wrong method is a 404, not a 405: the group's
	// catch-all (which makes unknown paths answer 401 before 404) takes
	// precedence in Echo's router.
	for _, c := range []struct {
		method, path string
		status       int
	}{
		{http.MethodGet, "/api/v1/nothing-here", http.StatusNotFound},
		{http.MethodGet, "/nothing-here", http.StatusNotFound},
		{http.MethodPut, "/healthz", http.StatusMethodNotAllowed},
		{http.MethodDelete, "/api/v1/credit-requests/" + r.ID, 0},
		{http.MethodPut, "/api/v1/accounts/" + r.AccountID, 0},
	} {
		requireBadInput(t, svc.Call(t, c.method, c.path, testenv.Admin, nil), badInput{name: c.method + " " + c.path, status: c.status})
	}
}

// TestEveryPOSTRouteRefusesBadBodies runs over the router's POST routes, so
// a route added later is covered the day it lands: malformed bodies, and a
// wrong type for every property its OpenAPI request schema lists. The ids
// in the path name nothing, so a handler may answer 404 before it reads the
// body; whatever it answers is a 4xx problem, and a 422 names the field.
func TestEveryPOSTRouteRefusesBadBodies(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	raw, _ := readOpenAPI(t)
	var doc map[string]any
	require.NoError(t, yaml.Unmarshal(raw, &doc))
	resolve := func(node map[string]any) map[string]any {
		if ref, ok := node["$ref"].(string); ok {
			node = doc
			for _, p := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
				node, _ = node[p].(map[string]any)
			}
		}
		return node
	}
	dig := func(node map[string]any, keys ...string) map[string]any {
		for _, k := range keys {
			node, _ = node[k].(map[string]any)
		}
		return node
	}

	var posts int
	routeRoles := routeRoles(t)
	for _, op := range apiRoutes(t) {
		method, path, _ := strings.Cut(op, " ")
		if method != http.MethodPost {
			continue
		}
		posts++
		user := userOfRole[routeRoles[op][0]]
		target := strings.ReplaceAll(path, "{id}", "unknown_id")

		cases := append([]badInput{}, malformedBodies...)
		if path == "/api/v1/invoices/import" {
			// The import takes up to 64 MiB: a 2 MiB object is read and
			// refused as not an array of invoices.
			for k := range cases {
				if strings.HasPrefix(cases[k].name, "a body over") {
					cases[k].status = 0
				}
			}
		}
		cases = append(cases, badInput{name: "unknown field", body: map[string]any{"colour": "red"}, fields: []string{"colour"}})
		schema := resolve(dig(doc, "paths", path, "post", "requestBody", "content", "application/json", "schema"))
		for name, prop := range dig(schema, "properties") {
			prop := resolve(prop.(map[string]any))
			var wrong []any
			switch {
			case dig(prop, "properties", "amount") != nil && dig(prop, "properties", "currency") != nil: // Money
				wrong = []any{"12.50", 12.5}
				cases = append(cases,
					badInput{name: name + ".amount is a float", body: map[string]any{name: map[string]any{"amount": 12.5, "currency": "EUR"}}, fields: []string{name + ".amount"}},
					badInput{name: name + ".amount is negative", body: map[string]any{name: map[string]any{"amount": "-12.50", "currency": "EUR"}}, fields: []string{name + ".amount"}},
					badInput{name: name + ".amount is absurdly large", body: map[string]any{name: map[string]any{"amount": hugeAmount, "currency": "EUR"}}, fields: []string{name + ".amount"}},
					badInput{name: name + ".currency is XXX", body: map[string]any{name: map[string]any{"amount": "12.50", "currency": "XXX"}}, fields: []string{name + ".currency"}},
					badInput{name: name + ".currency is eur", body: map[string]any{name: map[string]any{"amount": "12.50", "currency": "eur"}}, fields: []string{name + ".currency"}},
				)
			case prop["type"] == "string":
				wrong = []any{5, map[string]any{}, []string{"x"}}
				cases = append(cases, badInput{name: name + " is 10k characters", body: map[string]any{name: long10k}})
			case prop["type"] == "integer":
				wrong = []any{"7", 7.5, map[string]any{}}
			case prop["type"] == "boolean":
				wrong = []any{"yes", 1}
			case prop["type"] == "array":
				wrong = []any{"x", map[string]any{}}
			default:
				wrong = []any{"x", 5}
			}
			for _, w := range wrong {
				b, _ := json.Marshal(w)
				cases = append(cases, badInput{name: name + " is " + string(b), body: map[string]any{name: w}, fields: []string{name}})
			}
		}

		t.Run(op, func(t *testing.T) {
			for _, c := range cases {
				resp := svc.Call(t, method, target, user, c.body, c.headers...)
				check := c
				check.name = op + ": " + c.name
				if resp.Status != http.StatusUnprocessableEntity {
					check.fields = nil // refused before the body was read, or as malformed
				}
				if resp.Status == http.StatusNotFound {
					check.status = 0
				}
				requireBadInput(t, resp, check)
			}
		})
	}
	require.GreaterOrEqual(t, posts, 3)
}
