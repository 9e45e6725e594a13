package faults_test

import (
	"testing"

	"github.com/creditflow/creditflow/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }
