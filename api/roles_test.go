package api_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/api"
	"github.com/creditflow/creditflow/credit"
)

func TestAllowsIsTheDocumentsRolesOfAnOperation(t *testing.T) {
	require.True(t, api.Allows(credit.RoleCredit, "recordPayment"))
	require.True(t, api.Allows(credit.RoleAdmin, "recordPayment"))
	require.False(t, api.Allows(credit.RoleSales, "recordPayment"), "sales may not record a payment")
	require.True(t, api.Allows(credit.RoleSales, "recordPromise"))
	require.False(t, api.Allows(credit.RoleAdmin, "recordPromise"))
	require.True(t, api.Allows(credit.RoleSales, "checkCredit"))
	require.False(t, api.Allows(credit.RoleCredit, "checkCredit"))
	require.False(t, api.Allows(credit.RoleAdmin, "noSuchOperation"))
}
