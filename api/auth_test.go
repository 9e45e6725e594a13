package api_test

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/money"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/testenv"
	"github.com/creditflow/creditflow/workflows"
)

const (
	sales         = credit.RoleSales
	analyst       = credit.RoleCredit
	creditManager = credit.RoleCreditManager
	admin         = credit.RoleAdmin
)

// routeRoles are the roles each /api/v1 operation lists in the API
// document's x-roles, the one place they are written (the role middleware
// reads them from there too). The design's "credit" includes
// credit_manager ("what credit does"). Where the design says "any", sales
// reps are still limited to their own accounts, which
// TestSalesRepsSeeOnlyTheirOwnAccountsAndRequests covers. GET
// /credit-requests is the credit team's inbox in the design; every role may
// list, and a rep's list holds only their own requests.
func routeRoles(t *testing.T) map[string][]string {
	t.Helper()
	_, doc := readOpenAPI(t)
	out := map[string][]string{}
	for op, o := range documentedOperations(t, doc) {
		if strings.Contains(op, " /api/v1/") {
			out[op] = o.Roles
		}
	}
	return out
}

// userOfRole is one test user per role.
var userOfRole = map[string]string{
	sales:         testenv.Rep,
	analyst:       testenv.Analyst,
	creditManager: testenv.CreditManager,
	admin:         testenv.Admin,
}

// apiRoutes are the router's /api/v1 routes, so a new route is covered the
// day it is added.
func apiRoutes(t *testing.T) []string {
	t.Helper()
	var out []string
	for op := range routedOperations(t) {
		if strings.Contains(op, " /api/v1/") {
			out = append(out, op)
		}
	}
	slices.Sort(out)
	require.NotEmpty(t, out)
	return out
}

func requireProblemStatus(t *testing.T, resp testenv.Response, status int, msgAndArgs ...any) api.Problem {
	t.Helper()
	require.Equal(t, status, resp.Status, append(msgAndArgs, string(resp.Body))...)
	require.Equal(t, "application/problem+json", resp.Header.Get("Content-Type"), msgAndArgs...)
	var p api.Problem
	resp.JSON(t, &p)
	require.Equal(t, status, p.Status, msgAndArgs...)
	require.NotEmpty(t, p.Type, msgAndArgs...)
	require.NotEmpty(t, p.Title, msgAndArgs...)
	return p
}

// TestEveryOperationNamesItsRoles: every /api/v1 route says in x-roles who
// may call it, with roles that exist; an operation without them would let
// nobody through.
func TestEveryOperationNamesItsRoles(t *testing.T) {
	roles := routeRoles(t)
	for _, op := range apiRoutes(t) {
		require.NotEmpty(t, roles[op], "%s has no x-roles in api/openapi.yaml: add the design's roles", op)
		for _, role := range roles[op] {
			require.Contains(t, credit.Roles, role, "%s: x-roles names an unknown role", op)
		}
	}
}

// TestEveryRouteNeedsATokenAndTheRightRole: the 401/403 matrix over every
// /api/v1 route. Role checks come before any lookup, so an unknown id is
// enough; an allowed role gets past them (404, 400 or 422, never 401/403).
func TestEveryRouteNeedsATokenAndTheRightRole(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	routeRoles := routeRoles(t)
	for _, op := range apiRoutes(t) {
		method, path, _ := strings.Cut(op, " ")
		path = strings.ReplaceAll(path, "{id}", "unknown_id")
		t.Run(op, func(t *testing.T) {
			for _, c := range []struct {
				name    string
				user    string
				headers []string
			}{
				{"no Authorization header", "", nil},
				{"another scheme", "", []string{"Authorization", "Token " + svc.Token(testenv.Admin)}},
				{"basic auth", "", []string{"Authorization", "Basic YWRtaW46YWRtaW4="}},
				{"Bearer without a token", "", []string{"Authorization", "Bearer "}},
				{"Bearer and spaces", "", []string{"Authorization", "Bearer    "}},
				{"unknown token", "cft_not-a-token", nil},
			} {
				resp := svc.Call(t, method, path, c.user, nil, c.headers...)
				requireProblemStatus(t, resp, http.StatusUnauthorized, "%s: %s", op, c.name)
				require.Equal(t, `Bearer realm="creditflow"`, resp.Header.Get("WWW-Authenticate"), "RFC 9110: a 401 says how to authenticate")
			}
			for _, role := range credit.Roles {
				resp := svc.Call(t, method, path, userOfRole[role], nil)
				if slices.Contains(routeRoles[op], role) {
					require.NotContains(t, []int{http.StatusUnauthorized, http.StatusForbidden}, resp.Status, "%s as %s: %s", op, role, resp.Body)
					require.Less(t, resp.Status, 500, "%s as %s: %s", op, role, resp.Body)
				} else {
					p := requireProblemStatus(t, resp, http.StatusForbidden, "%s as %s", op, role)
					require.Contains(t, p.Detail, role, "the answer says which role was refused")
				}
			}
		})
	}
}

// TestADisabledUserIsAnsweredAsAnUnknownToken: "creditflow user disable"
// stops every token the user had; the API cannot tell them from a stranger.
func TestADisabledUserIsAnsweredAsAnUnknownToken(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	const inbox = "/api/v1/credit-requests"
	require.Equal(t, http.StatusOK, svc.Call(t, http.MethodGet, inbox, testenv.Analyst, nil).Status)

	_, err := svc.Store.DisableUser(context.Background(), testenv.Analyst)
	require.NoError(t, err)
	p := requireProblemStatus(t, svc.Call(t, http.MethodGet, inbox, testenv.Analyst, nil), http.StatusUnauthorized, "a disabled user")
	require.Equal(t, "unknown token", p.Detail)
}

// TestSalesRepsSeeOnlyTheirOwnAccountsAndRequests: where the design says
// "any", a sales rep still reads only their own accounts.
func TestSalesRepsSeeOnlyTheirOwnAccountsAndRequests(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	r := askForPreApproval(t, svc, "50000.00")
	own := []string{
		"/api/v1/credit-requests/" + r.ID,
		"/api/v1/accounts/" + r.AccountID,
		"/api/v1/accounts/" + r.AccountID + "/timeline",
	}
	for _, path := range own {
		for _, who := range []string{testenv.Rep, testenv.Analyst, testenv.LimitedAnalyst, testenv.CreditManager, testenv.Admin} {
			resp := svc.Call(t, http.MethodGet, path, who, nil)
			require.Equal(t, http.StatusOK, resp.Status, "%s as %s: %s", path, who, resp.Body)
		}
		requireProblemStatus(t, svc.Call(t, http.MethodGet, path, testenv.OtherRep, nil), http.StatusForbidden, "%s as another rep", path)
	}

	requireProblemStatus(t, svc.Call(t, http.MethodGet, "/api/v1/accounts?sales_rep="+testenv.Rep, testenv.OtherRep, nil),
		http.StatusForbidden, "another rep's account list")
	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/withdraw", testenv.OtherRep,
		map[string]any{"reason": "not mine"}), http.StatusForbidden, "withdrawing another rep's request")
	requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests", testenv.OtherRep, map[string]any{
		"kind": "limit_increase", "account_id": r.AccountID, "requested_limit": map[string]any{"amount": "90000.00", "currency": "EUR"},
	}), http.StatusForbidden, "raising another rep's account's limit")

	var lists struct {
		Items []struct {
			ID string `json:"id"`
		} `json:"items"`
	}
	for _, c := range []struct {
		path, id string
	}{{"/api/v1/accounts", r.AccountID}, {"/api/v1/credit-requests", r.ID}} {
		resp := svc.Call(t, http.MethodGet, c.path, testenv.OtherRep, nil)
		require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
		resp.JSON(t, &lists)
		require.Empty(t, lists.Items, "%s: another rep's list holds none of Rep's", c.path)

		resp = svc.Call(t, http.MethodGet, c.path, testenv.Rep, nil)
		resp.JSON(t, &lists)
		require.Len(t, lists.Items, 1, c.path)
		require.Equal(t, c.id, lists.Items[0].ID, c.path)
	}

	// Still waiting: nothing above changed it.
	svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Admin, nil).JSON(t, &r)
	require.Equal(t, credit.StatusPendingReview, r.Status)
}

// TestNobodyDecidesARequestTheyCreated: segregation of duties. Only sales
// create requests through the API and sales may not decide, so requests
// created by an analyst and a credit manager are written straight to the
// store and started as the API starts them; the API refuses their
// decision, and so does the workflow's update validator when the API is
// bypassed.
func TestNobodyDecidesARequestTheyCreated(t *testing.T) {
	svc := testenv.StartService(t, testenv.Options{})
	ctx := context.Background()

	t.Run("the rep who asked", func(t *testing.T) {
		r := askForPreApproval(t, svc, "50000.00")
		requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", testenv.Rep,
			map[string]any{"outcome": "decline", "reason": "mine"}), http.StatusForbidden)
		requireWorkflowRefuses(t, svc, r.ID, workflows.Decider{Email: testenv.Rep, Role: sales})
	})

	for _, creator := range []struct {
		email, role, decider string
	}{
		{testenv.Analyst, analyst, testenv.CreditManager},
		{testenv.CreditManager, creditManager, testenv.Analyst},
	} {
		t.Run(creator.role, func(t *testing.T) {
			user, err := svc.Store.UserByEmail(ctx, creator.email)
			require.NoError(t, err)
			now := time.Now().UTC()
			r := credit.CreditRequest{
				ID: store.NewID("cr"), Kind: credit.KindPreApproval, Status: credit.StatusScoring, AccountID: store.NewID("acc"),
				Prospect: &credit.Prospect{
					Name: "Self Dealing Ltd", RegistrationNumber: "SD-1", Country: "DE", BillingEmail: "billing@self.example",
					AnnualRevenue: money.FromMajor(2_500_000, "EUR"), YearsInBusiness: 7, TradeReferences: 2, TimeZone: "UTC",
				},
				RequestedLimit: money.FromMajor(50_000, "EUR"), Reasons: []string{},
				CreatedBy: creator.email, CreatedAt: now, UpdatedAt: now,
			}
			require.NoError(t, svc.Store.CreateCreditRequest(ctx, r))
			_, err = svc.Temporal.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
				ID: workflows.CreditRequestWorkflowID(r.ID), TaskQueue: svc.TaskQueue,
			}, workflows.CreditRequestWorkflow, workflows.CreditRequest{
				ID: r.ID, Kind: r.Kind, Status: r.Status, AccountID: r.AccountID, RequestedLimit: workflows.MoneyOf(r.RequestedLimit),
				Reasons: []string{}, CreatedBy: r.CreatedBy, CreatedAt: now, UpdatedAt: now,
			})
			require.NoError(t, err)
			testenv.Eventually(t, 10*time.Second, "scoring", func() bool {
				svc.Call(t, http.MethodGet, "/api/v1/credit-requests/"+r.ID, testenv.Admin, nil).JSON(t, &r)
				return r.Status == credit.StatusPendingReview
			})

			for _, body := range []map[string]any{
				{"outcome": "approve", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"}},
				{"outcome": "decline", "reason": "declining my own"},
			} {
				p := requireProblemStatus(t, svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", creator.email, body),
					http.StatusForbidden, "%s deciding their own request", creator.role)
				require.Contains(t, p.Detail, "segregation of duties")
			}
			by := workflows.Decider{UserID: user.ID, Email: creator.email, Role: creator.role, ApprovalLimit: user.ApprovalLimit}
			requireWorkflowRefuses(t, svc, r.ID, by)
			by.Email = strings.ToUpper(by.Email)
			requireWorkflowRefuses(t, svc, r.ID, by)

			// Someone else may: the refusals were about who, not about the
			// request's state.
			resp := svc.Call(t, http.MethodPost, "/api/v1/credit-requests/"+r.ID+"/decision", creator.decider, map[string]any{
				"outcome": "approve", "approved_limit": map[string]any{"amount": "40000.00", "currency": "EUR"},
			})
			require.Equal(t, http.StatusOK, resp.Status, string(resp.Body))
			resp.JSON(t, &r)
			require.Equal(t, credit.StatusApproved, r.Status)
			require.Equal(t, creator.decider, r.Decision.DecidedBy)
		})
	}
}

// requireWorkflowRefuses sends a decision straight to the workflow, as
// the API does, and expects its validator to refuse it as forbidden.
func requireWorkflowRefuses(t *testing.T, svc *testenv.Service, requestID string, by workflows.Decider) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	handle, err := svc.Temporal.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
		WorkflowID:   workflows.CreditRequestWorkflowID(requestID),
		UpdateName:   workflows.DecisionUpdate,
		Args:         []any{workflows.DecisionInput{Outcome: credit.OutcomeDecline, Reason: "bypassing the API", By: by}},
		WaitForStage: client.WorkflowUpdateStageCompleted,
	})
	if err == nil {
		var result workflows.CreditRequest
		err = handle.Get(ctx, &result)
	}
	require.Error(t, err, "the workflow accepted a decision by %s (%s)", by.Email, by.Role)
	var appErr *temporal.ApplicationError
	require.True(t, errors.As(err, &appErr), "want an ApplicationError, got %v", err)
	require.Equal(t, workflows.ErrTypeForbidden, appErr.Type(), appErr.Error())
}
