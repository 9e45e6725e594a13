package credit

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestCheckUserNamesEachFieldAtFault(t *testing.T) {
	limit := func(n int64) *int64 { return &n }
	for _, c := range []struct {
		name   string
		user   User
		fields []string
	}{
		{"a new analyst", User{Email: "ann@example.com", Name: "Ann", Role: RoleCredit, ManagerEmail: "boss@example.com", ApprovalLimit: limit(5000)}, nil},
		{"only the address given", User{Email: "ann@example.com"}, nil},
		{"a limit, the role not given", User{Email: "ann@example.com", ApprovalLimit: limit(5)}, nil},
		{"no address", User{Role: RoleSales}, []string{"email"}},
		{"an address with a display name", User{Email: "Ann <ann@example.com>", Role: RoleSales}, []string{"email"}},
		{"a name on two lines", User{Email: "ann@example.com", Name: "Ann\r\nBcc: x@example.com"}, []string{"name"}},
		{"an unknown role", User{Email: "ann@example.com", Role: "boss"}, []string{"role"}},
		{"a bad manager", User{Email: "ann@example.com", ManagerEmail: "boss"}, []string{"manager_email"}},
		{"a negative limit", User{Email: "ann@example.com", Role: RoleCredit, ApprovalLimit: limit(-1)}, []string{"approval_limit"}},
		{"a limit for a manager", User{Email: "ann@example.com", Role: RoleCreditManager, ApprovalLimit: limit(5)}, []string{"approval_limit"}},
		{"everything", User{Email: "x", Name: "\x00", Role: "x", ManagerEmail: "y", ApprovalLimit: limit(-1)},
			[]string{"email", "name", "role", "manager_email", "approval_limit"}},
	} {
		var fields []string
		for _, p := range CheckUser(c.user) {
			require.NotEmpty(t, p.Detail, c.name)
			fields = append(fields, p.Field)
		}
		require.Equal(t, c.fields, fields, c.name)
	}
}
