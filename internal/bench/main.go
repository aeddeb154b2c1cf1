// Command bench measures the coc provider: start-up against Terraform's floor and a reference
// provider, release binary size, the provider's peak memory, API calls per operation,
// throttle-bound applies and the client's micro-benchmarks, and prints one table. `make bench`
// runs it from the repository root; README.md discusses the results.
// It needs terraform on PATH and nothing from the network: the simulator runs in-process and the
// providers are built here and reached through dev_overrides.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

func main() {
	// Terraform starts a copy of this program as the provider when peak memory is measured.
	if target := os.Getenv(envWrapTarget); target != "" {
		os.Exit(wrapProvider(target, os.Getenv(envWrapReport)))
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// options are bench's flags.
type options struct {
	rounds               int
	tenants, secondsOnly []int
	sections             string
}

func (o options) enabled(section string) bool {
	return o.sections == "" || strings.Contains(","+o.sections+",", ","+section+",")
}

func parseOptions() (options, error) {
	rounds := flag.Int("rounds", 15, "interleaved rounds of the start-up commands (the median is reported)")
	tenantList := flag.String("tenants", "10,50,100", "tenant counts of the throttle-bound apply")
	secondsList := flag.String("seconds-only", "10,50", "tenant counts also applied with whole-second Retry-After only (more costs minutes)")
	sections := flag.String("only", "", "comma-separated sections to run: startup, memory, calls, throttle, micro (default all)")
	flag.Parse()
	o := options{rounds: *rounds, sections: *sections}
	var err error
	if o.tenants, err = parseInts(*tenantList); err != nil {
		return o, err
	}
	o.secondsOnly, err = parseInts(*secondsList)
	return o, err
}

func run() error {
	o, err := parseOptions()
	if err != nil {
		return err
	}
	root, err := os.Getwd()
	if err != nil {
		return err
	}
	if _, err := os.Stat("go.mod"); err != nil {
		return errors.New("run bench from the repository root (make bench)")
	}
	ctx := context.Background()
	began := time.Now()
	loadBefore := loadAverage()
	tc, err := newToolchain(ctx, root)
	if err != nil {
		return err
	}
	defer tc.cleanup()

	r := &report{}
	if err := reportBinarySize(r, tc); err != nil {
		return err
	}
	if err := measureSections(ctx, o, tc, root, r); err != nil {
		return err
	}
	fmt.Println()
	r.print(os.Stdout)
	fmt.Printf("\n%d cores, %s, in %s; load average %s before, %s after.\n", runtime.NumCPU(), tc.terraformVersion(ctx),
		time.Since(began).Round(time.Second), loadBefore, loadAverage())
	if busy(loadBefore) || busy(loadAverage()) {
		fmt.Println("Other work kept the machine busy: timings, and the throttle ratios above all, are inflated; rerun when it is idle.")
	}
	if missed := r.missed(); len(missed) > 0 {
		fmt.Printf("Targets missed: %s.\n", strings.Join(missed, "; "))
	}
	return nil
}

// measureSections runs each section the options enable, in the report's order.
func measureSections(ctx context.Context, o options, tc *toolchain, root string, r *report) error {
	if o.enabled("startup") {
		progress("start-up: %d interleaved rounds", o.rounds)
		samples, err := measureStartup(ctx, tc, o.rounds)
		if err != nil {
			return err
		}
		reportStartup(r, samples, o.rounds)
		if err := measureLaunchCPU(ctx, tc, r, o.rounds); err != nil {
			return err
		}
	}
	if o.enabled("memory") {
		progress(fmt.Sprintf("memory: plan of %d bindings", bindingsPerTenant))
		if err := measurePeakRSS(ctx, tc, r); err != nil {
			return err
		}
	}
	if o.enabled("calls") {
		progress("API calls per operation")
		if err := measureCalls(ctx, tc, r); err != nil {
			return err
		}
	}
	if o.enabled("throttle") {
		var results []throttleResult
		for _, n := range o.tenants {
			progress("throttle: %d tenants", n)
			res, err := measureThrottle(ctx, tc, n, slices.Contains(o.secondsOnly, n))
			if err != nil {
				return err
			}
			results = append(results, res)
		}
		reportThrottle(r, results)
	}
	if o.enabled("micro") {
		progress("micro-benchmarks")
		return measureMicro(ctx, root, r)
	}
	return nil
}

// loadAverage is the one-minute load average, or "?" where /proc/loadavg does not exist.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	fields := strings.Fields(string(data))
	if err != nil || len(fields) == 0 {
		return "?"
	}
	return fields[0]
}

// busy reports a load average above the number of cores: other processes then compete with
// terraform and the providers for the CPU.
func busy(load string) bool {
	l, err := strconv.ParseFloat(load, 64)
	return err == nil && l > float64(runtime.NumCPU())
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

func parseInts(list string) ([]int, error) {
	var out []int
	if list == "" {
		return nil, nil
	}
	for _, s := range strings.Split(list, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("invalid count %q", s)
		}
		out = append(out, n)
	}
	return out, nil
}
