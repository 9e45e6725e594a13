package api

import (
	"slices"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/labstack/echo/v4"
)

// requireRoles lets through the roles the operation lists in the API
// document's x-roles, the one place a route's roles are written: 403 for
// the others. An operation without x-roles lets nobody through.
func requireRoles(op *openapi3.Operation) echo.MiddlewareFunc {
	roles := rolesOf(op)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			if u := currentUser(c.Request().Context()); !slices.Contains(roles, u.Role) {
				return forbidden("the " + u.Role + " role may not do this; allowed: " + strings.Join(roles, ", "))
			}
			return next(c)
		}
	}
}

func rolesOf(op *openapi3.Operation) []string {
	var roles []string
	list, _ := op.Extensions["x-roles"].([]any)
	for _, r := range list {
		if role, ok := r.(string); ok {
			roles = append(roles, role)
		}
	}
	return roles
}

// operationRoles is each operation's x-roles, by its operationId.
var operationRoles = sync.OnceValue(func() map[string][]string {
	roles := map[string][]string{}
	for _, item := range spec().Paths.Map() {
		for _, op := range item.Operations() {
			roles[op.OperationID] = rolesOf(op)
		}
	}
	return roles
})

// Allows reports whether a role may call the operation of this
// operationId, as its x-roles say: the credit desk offers a form only to
// the roles that may send it, without writing the roles again.
func Allows(role, operationID string) bool {
	return slices.Contains(operationRoles()[operationID], role)
}

// needsToken: every operation but those whose security is empty (health,
// metrics, the document).
func needsToken(doc *openapi3.T, op *openapi3.Operation) bool {
	if op.Security != nil {
		return len(*op.Security) > 0
	}
	return len(doc.Security) > 0
}
