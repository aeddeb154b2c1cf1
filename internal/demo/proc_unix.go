//go:build unix

package demo

import (
	"os/exec"
	"syscall"
)

// isolate puts a child in its own process group. A Ctrl-C in the terminal then reaches only the
// demo, which interrupts terraform exactly once (a second interrupt makes terraform quit without
// cleaning up), and the whole group, plugins included, can be stopped together.
func isolate(cmd *exec.Cmd) { cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} }

// interrupt asks a child's process group to stop as a Ctrl-C would.
func interrupt(cmd *exec.Cmd) error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGINT) }

// terminate asks a child's process group to stop.
func terminate(cmd *exec.Cmd) error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGTERM) }

// killGroup kills whatever is left of a child's process group, such as a provider plugin whose
// terraform was killed.
func killGroup(cmd *exec.Cmd) {
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	}
}
