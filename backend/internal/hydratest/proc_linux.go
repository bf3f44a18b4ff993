package hydratest

import "syscall"

// sysProcAttr asks the kernel to kill Hydra when the test binary dies
// without running its cleanups, as it does on a test timeout.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
