//go:build !faults

package api

// faultPoint is a no-op outside fault-test builds (see fault_on.go).
func faultPoint(string) {}
