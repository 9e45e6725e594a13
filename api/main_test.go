package api_test

import (
	"testing"

	"github.com/creditflow/creditflow/testenv"
)

// The API is tested over real HTTP against a real Temporal dev server,
// a real Postgres and a fake SendGrid.
func TestMain(m *testing.M) { testenv.Main(m) }
