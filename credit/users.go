package credit

import (
	"fmt"
	"net/mail"
	"slices"
	"strings"
	"unicode"
)

// UserProblem is what is wrong with one field of a user, the field named
// as the API names it (email, name, role, manager_email, approval_limit).
type UserProblem struct {
	Field  string
	Detail string
}

// CheckUser checks a user as `creditflow user add` and POST /users take
// one, so that the command and the API accept the same people. A field
// left empty is not given: whether a role is required (a new user) is the
// caller's to say, since an existing user keeps theirs.
func CheckUser(u User) []UserProblem {
	var problems []UserProblem
	fail := func(field, format string, args ...any) {
		problems = append(problems, UserProblem{field, fmt.Sprintf(format, args...)})
	}
	if !isAddress(u.Email) {
		fail("email", "%q is not an email address", u.Email)
	}
	// A name ends up in emails' greetings and the desk's pages: one line.
	if strings.ContainsFunc(u.Name, unicode.IsControl) {
		fail("name", "must be one line, without control characters")
	}
	if u.Role != "" && !slices.Contains(Roles, u.Role) {
		fail("role", "%q is not a role; want one of %s", u.Role, strings.Join(Roles, ", "))
	}
	if u.ManagerEmail != "" && !isAddress(u.ManagerEmail) {
		fail("manager_email", "%q is not an email address", u.ManagerEmail)
	}
	if u.ApprovalLimit != nil {
		switch {
		case *u.ApprovalLimit < 0:
			fail("approval_limit", "must not be negative")
		case u.Role != "" && u.Role != RoleCredit:
			fail("approval_limit", "only the credit role has an approval limit")
		}
	}
	return problems
}

// isAddress accepts a bare address: mail.ParseAddress alone would also
// take "Ann <ann@example.com>" and store all of it.
func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Address == s
}
