package local

import (
	"os/exec"
	"syscall"
)

// dieWithParent makes the kernel send the child SIGTERM if this process
// dies, even by SIGKILL: a killed `stampede run` leaves no load behind.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
}
