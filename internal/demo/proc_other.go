//go:build !unix

package demo

import "os/exec"

// Without process groups the terminal's interrupt reaches every child directly.

func isolate(*exec.Cmd) {}

func interrupt(cmd *exec.Cmd) error { return cmd.Process.Kill() }

func terminate(cmd *exec.Cmd) error { return cmd.Process.Kill() }

func killGroup(*exec.Cmd) {}
