package api

import (
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

const userKey = "creditflow.user"

// authenticate resolves the bearer token to a user: 401 when it is missing
// or unknown.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		token, ok := strings.CutPrefix(c.Request().Header.Get(echo.HeaderAuthorization), "Bearer ")
		if !ok || strings.TrimSpace(token) == "" {
			return unauthorized("send Authorization: Bearer <token>")
		}
		u, err := s.Store.UserByToken(c.Request().Context(), strings.TrimSpace(token))
		if errors.Is(err, store.ErrNotFound) {
			return unauthorized("unknown token")
		}
		if err != nil {
			return err
		}
		c.Set(userKey, u)
		return next(c)
	}
}

func unauthorized(detail string) *Problem {
	p := problem(http.StatusUnauthorized, "unauthorized", "Authentication required", detail)
	return p
}

// allow lets only the given roles through: 403 for the others.
func allow(roles ...string) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if u := currentUser(c); !slices.Contains(roles, u.Role) {
				return forbidden("the " + u.Role + " role may not do this; allowed: " + strings.Join(roles, ", "))
			}
			return next(c)
		}
	}
}

func currentUser(c echo.Context) credit.User {
	u, _ := c.Get(userKey).(credit.User)
	return u
}

// decider is the current user as a workflow update names them.
func decider(u credit.User) workflows.Decider {
	return workflows.Decider{UserID: u.ID, Email: u.Email, Role: u.Role, ApprovalLimit: u.ApprovalLimit}
}

// canSeeAccount: sales reps read their own accounts; everybody else reads all.
func canSeeAccount(u credit.User, salesRep string) bool {
	return u.Role != credit.RoleSales || strings.EqualFold(u.Email, salesRep)
}
