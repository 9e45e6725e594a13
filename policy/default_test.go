package policy_test

import (
	"os"
	"testing"

	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/creditflow/creditflow/policy"
)

// TestDefaultYAMLIsTheDefaultPolicy keeps default.yaml, the file operators
// copy to write their own policy, equal to the policy the code uses.
func TestDefaultYAMLIsTheDefaultPolicy(t *testing.T) {
	b, err := os.ReadFile("default.yaml")
	require.NoError(t, err)
	var p policy.Policy
	require.NoError(t, yaml.Unmarshal(b, &p))
	require.Equal(t, policy.Default(), p)

	loaded, err := policy.Load("default.yaml")
	require.NoError(t, err)
	require.Equal(t, policy.Default(), loaded)
}
