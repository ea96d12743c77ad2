package local

import (
	"os/exec"
	"syscall"
)

// detach makes the kernel send the child SIGTERM if this process dies, even
// by SIGKILL, so a killed `stampede run` leaves no load behind; and puts the
// child in its own process group, so a Ctrl-C at the terminal reaches only
// this process, which stops the run and then the workers in order.
func detach(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM, Setpgid: true}
}
