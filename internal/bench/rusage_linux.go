package main

import (
	"os"
	"syscall"
)

// peakRSS is the peak resident set size of an exited child, from wait4's rusage.
func peakRSS(ps *os.ProcessState) (int64, bool) {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, false
	}
	return ru.Maxrss << 10, true // Linux reports KiB
}
