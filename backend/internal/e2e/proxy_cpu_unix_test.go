//go:build unix

package e2e

import (
	"syscall"
	"time"
)

// proxyCPUTime is the processor time, user and system, this process has
// used so far. Unlike wall time it hardly changes with the load other
// processes put on the machine.
func proxyCPUTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
