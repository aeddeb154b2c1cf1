//go:build !linux

package main

import "os"

// peakRSS is only implemented on Linux, where the benchmarks run.
func peakRSS(*os.ProcessState) (int64, bool) { return 0, false }
