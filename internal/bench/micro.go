package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
)

// Micro-benchmarks of the signer (internal/hwhttp), the client's decoder (internal/coc) and the
// simulator's (internal/simulator), run by go test with -benchmem; allocations are exact, times
// are as noisy as the machine.

func measureMicro(ctx context.Context, repoRoot string, r *report) error {
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", ".", "-benchmem", "-count", "1", "./internal/hwhttp", "./internal/coc", "./internal/simulator")
	cmd.Dir = repoRoot
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go test -bench: %w\n%s", err, out.String())
	}
	found := 0
	scanner := bufio.NewScanner(&out)
	for scanner.Scan() {
		// BenchmarkSign-2   123456   9876 ns/op   1234 B/op   12 allocs/op
		fields := strings.Fields(scanner.Text())
		if len(fields) < 8 || !strings.HasPrefix(fields[0], "Benchmark") || fields[3] != "ns/op" {
			continue
		}
		name := strings.TrimPrefix(fields[0], "Benchmark")
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			name = name[:i]
		}
		r.add(row{section: "micro", measure: name, value: fmt.Sprintf("%s ns/op, %s B/op, %s allocs/op", fields[2], fields[4], fields[6])})
		found++
	}
	if found == 0 {
		return fmt.Errorf("no benchmark results in:\n%s", out.String())
	}
	return nil
}
