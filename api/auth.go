package api

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
	"github.com/creditflow/creditflow/workflows"
)

type userKey struct{}

// authenticate resolves the bearer token to a user: 401 when it is missing
// or unknown. The user travels in the request's context, where the
// generated handlers find it.
func (s *Server) authenticate(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if _, ok := c.Request().Context().Value(userKey{}).(credit.User); ok {
			// The credit desk calling in-process for a user it signed in
			// (AsUser). Only code in this process can put a value in a
			// request's context: nothing on the wire reaches here.
			return next(c)
		}
		// The scheme is case-insensitive (RFC 9110): "bearer" is Bearer.
		scheme, token, _ := strings.Cut(strings.TrimSpace(c.Request().Header.Get(echo.HeaderAuthorization)), " ")
		if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
			return unauthorized("send Authorization: Bearer <token>")
		}
		ctx := c.Request().Context()
		u, err := s.Store.UserByToken(ctx, strings.TrimSpace(token))
		if errors.Is(err, store.ErrNotFound) {
			return unauthorized("unknown token")
		}
		if err != nil {
			return err
		}
		c.SetRequest(c.Request().WithContext(AsUser(ctx, u)))
		return next(c)
	}
}

// AsUser is a context in which the API's handlers act for u, as if u had
// sent their bearer token: the credit desk calls the API in-process this
// way for the user signed in to it, so that its pages go through the
// same roles, validation and handlers as any other client.
func AsUser(ctx context.Context, u credit.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

func unauthorized(detail string) *Problem {
	return problem(http.StatusUnauthorized, "unauthorized", "Authentication required", detail)
}

// currentUser is the user authenticate found.
func currentUser(ctx context.Context) credit.User {
	u, _ := ctx.Value(userKey{}).(credit.User)
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
