package worker_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/creditflow/creditflow/activities"
	"github.com/creditflow/creditflow/workflows"
)

// Workflows call activities by name (package workflows does not import
// package activities); the worker registers the methods of Activities
// under their names. Each name must be such a method, taking a context
// and the one input the workflows send.
func TestEveryActivityAWorkflowCallsIsRegisteredWithItsInput(t *testing.T) {
	acts := reflect.TypeOf(&activities.Activities{})
	ctxType := reflect.TypeOf((*context.Context)(nil)).Elem()
	for name, input := range workflows.ActivityInputs {
		m, ok := acts.MethodByName(name)
		require.True(t, ok, "activities.Activities has no method %s", name)
		require.Equal(t, 3, m.Type.NumIn(), "%s takes a context and one input", name)
		require.Equal(t, ctxType, m.Type.In(1), name)
		require.Equal(t, reflect.TypeOf(input), m.Type.In(2), "%s's input", name)
	}
	for _, name := range workflows.LegacyActivities {
		_, ok := acts.MethodByName(name)
		require.True(t, ok, "running workflows still call %s: keep it", name)
	}
}
