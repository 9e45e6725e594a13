package store_test

import (
	"testing"

	"github.com/creditflow/creditflow/testenv"
)

// The store is tested against a real Postgres, a fresh database per test.
func TestMain(m *testing.M) { testenv.Main(m) }
