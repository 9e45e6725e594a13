package api

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"

	"github.com/creditflow/creditflow/credit"
	"github.com/creditflow/creditflow/store"
)

// The document's User is the domain's.
type (
	User     = credit.User
	UserPage = Page[credit.User]
)

// ListUsers: everyone, by email, for admins. The cursor is the last
// address of the page, opaque to the caller.
func (h handlers) ListUsers(ctx context.Context, req ListUsersRequestObject) (ListUsersResponseObject, error) {
	after, err := base64.RawURLEncoding.DecodeString(deref(req.Params.Cursor))
	if err != nil || !isText(string(after)) {
		return nil, badCursor()
	}
	users, next, err := h.Store.UsersPage(ctx, string(after), pageSize(req.Params.Limit))
	if err != nil {
		return nil, err
	}
	page := UserPage{Items: users}
	if page.Items == nil {
		page.Items = []credit.User{}
	}
	if next != "" {
		page.NextCursor = base64.RawURLEncoding.EncodeToString([]byte(next))
	}
	return ListUsers200JSONResponse(page), nil
}

// CreateUser adds a user as `creditflow user add` does a new one, with the
// same checks (credit.CheckUser), but issues no token: the token it is
// stored with is one nobody knows, and the user signs in to the desk by
// an emailed link.
func (h handlers) CreateUser(ctx context.Context, req CreateUserRequestObject) (CreateUserResponseObject, error) {
	b := req.Body
	u := credit.User{Email: strings.TrimSpace(b.Email), Name: strings.TrimSpace(deref(b.Name)), Role: string(b.Role),
		ManagerEmail: strings.TrimSpace(deref(b.ManagerEmail)), ApprovalLimit: b.ApprovalLimit}
	if err := userProblems(credit.CheckUser(u)); err != nil {
		return nil, err
	}
	created, err := h.Store.CreateUser(ctx, u, store.NewToken())
	if errors.Is(err, store.ErrConflict) {
		return nil, conflict("there is already a user " + strings.ToLower(u.Email) + ` ("creditflow user add" changes or enables an existing user)`)
	}
	if err != nil {
		return nil, err
	}
	return CreateUser201JSONResponse(created), nil
}

// DisableUser disables a user as `creditflow user disable` does.
func (h handlers) DisableUser(ctx context.Context, req DisableUserRequestObject) (DisableUserResponseObject, error) {
	u, err := h.Store.UserByID(ctx, req.Id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, notFound("user", req.Id)
	}
	if err != nil {
		return nil, err
	}
	if u.ID == currentUser(ctx).ID {
		return nil, conflict("you cannot disable yourself; another admin can")
	}
	disabled, err := h.Store.DisableUser(ctx, u.Email)
	if err != nil {
		return nil, err
	}
	return DisableUser200JSONResponse(disabled), nil
}

// userProblems answers what credit.CheckUser found, field by field.
func userProblems(problems []credit.UserProblem) error {
	var v checker
	for _, p := range problems {
		v.fail(p.Field, p.Detail)
	}
	return v.err()
}
