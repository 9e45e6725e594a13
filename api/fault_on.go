//go:build faults

package api

import (
	"os"
	"strings"
	"syscall"
)

// faultPoint kills the process, as kill -9 would, when CREDITFLOW_FAULT
// names the point. Only binaries built with -tags faults have it: the
// fault tests build one to die between starting a workflow and writing
// its row.
func faultPoint(name string) {
	for _, f := range strings.Split(os.Getenv("CREDITFLOW_FAULT"), ",") {
		if f == name {
			_ = syscall.Kill(os.Getpid(), syscall.SIGKILL)
			select {} // the signal is on its way
		}
	}
}
