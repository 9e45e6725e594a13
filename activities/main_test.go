package activities_test

import (
	"testing"

	"github.com/creditflow/creditflow/testenv"
)

// Activities are tested against a real Postgres (a fresh database per test)
// and a fake SendGrid.
func TestMain(m *testing.M) { testenv.Main(m) }
