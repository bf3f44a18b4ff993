//go:build !unix

package e2e

import "time"

// proxyCPUTime is not measured on this system.
func proxyCPUTime() time.Duration { return 0 }
