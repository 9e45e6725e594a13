package api_test

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/testenv"
)

// hostileValue is a random JSON value of the kinds that break decoders:
// wrong types, huge and negative numbers, long, control and invalid
// text, deep nesting.
func hostileValue(r *rand.Rand, depth int) any {
	switch r.IntN(12) {
	case 0:
		return nil
	case 1:
		return r.IntN(2) == 0
	case 2:
		return []any{-1, 1e308, -1e308, 9007199254740993}[r.IntN(4)]
	case 3:
		return strings.Repeat("x", r.IntN(5000))
	case 4:
		return []string{"\u0000", "\r\nBcc: x@example.com", "\xff\xfe", "\u202e", "1e9", "-0.00", "../../etc/passwd", "' OR 1=1--"}[r.IntN(8)]
	case 5:
		return map[string]any{"amount": hostileValue(r, depth+1), "currency": hostileValue(r, depth+1)}
	case 6, 7:
		if depth < 4 {
			m := map[string]any{}
			for _, k := range []string{"kind", "prospect", "requested_limit", "outcome", "approved_limit", "conditions",
				"account_id", "number", "amount", "issue_date", "due_date", "terms_days", "received_at", "reference",
				"reason", "department", "owner_email", "promised_date", "note", "pause_until", "body", "resolution", "credit_note"} {
				if r.IntN(3) == 0 {
					m[k] = hostileValue(r, depth+1)
				}
			}
			return m
		}
		return "deep"
	case 8:
		if depth < 4 {
			return []any{hostileValue(r, depth+1), hostileValue(r, depth+1)}
		}
		return []any{}
	default:
		return []string{"EUR", "pre_approval", "approve", "2025-01-01", "2025-02-30", "rep@example.com", "credit"}[r.IntN(7)]
	}
}

// TestEveryRouteAsEveryRoleSurvivesHostileBodies sends every route random
// and hostile bodies and query strings, as every role: whatever the answer,
// never a 5xx.
func TestEveryRouteAsEveryRoleSurvivesHostileBodies(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	rng := rand.New(rand.NewPCG(7, 11)) // the same bodies every run
	sent := 0
	for _, op := range apiRoutes(t) {
		method, path, _ := strings.Cut(op, " ")
		for _, id := range []string{"unknown", r.ID, r.AccountID} {
			target := strings.ReplaceAll(path, "{id}", id)
			for _, role := range credit.Roles {
				for range 4 {
					var body any
					if method == http.MethodPost {
						b, err := json.Marshal(hostileValue(rng, 0))
						require.NoError(t, err)
						body = string(b)
					}
					query := fmt.Sprintf("?limit=%d&status=%s&cursor=%s", rng.IntN(500)-100, []string{"pending_review", "x", "%00"}[rng.IntN(3)], "Zm9v")
					resp := svc.Call(t, method, target+query, userOfRole[role], body)
					require.Less(t, resp.Status, 500, "%s %s as %s with %v: %s", method, target+query, role, body, resp.Body)
					sent++
				}
			}
		}
	}
	t.Logf("%d hostile requests, no 5xx", sent)
}
