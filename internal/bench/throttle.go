package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"time"
)

// Throttle-bound apply: T tenants × 3 bindings, one aliased provider block (so one provider
// process) per tenant, -parallelism=10, against the simulator's per-tenant token bucket.
//
// Rate 1/s with burst 1 makes the limit bind: a tenant's 3 creates need at least 2 s however
// they are sent. Terraform shapes the rest. It starts and configures the providers first, then
// hands out each tenant's 3 creates together, and an operation holds its slot while it waits for
// a token. So even a client that knew the instant each token appears, with operations that cost
// nothing, would need M = rateBound(T) from the first request to the last: that is the lower
// bound the rate limit sets, and the simulator's log gives the time the provider took for it.
// The wall time of the whole apply is reported next to M and to the same apply without a limit.

const (
	throttleRate        = 1.0
	throttleBurst       = 1
	throttleParallelism = 10
	bindingsPerTenant   = 3
	maxThrottleRatio    = 1.3
)

type throttleResult struct {
	tenants int
	// free and limited are the wall times of the apply without and with the rate limit.
	free, limited time.Duration
	// requestPhase runs from the first to the last request of the limited apply, by the
	// simulator's log: the part of the apply the rate limit governs.
	requestPhase time.Duration
	// bound is rateBound.
	bound     time.Duration
	requests  int
	throttled int // answered 429
	failures  int // bindings missing after the apply
}

func measureThrottle(ctx context.Context, tc *toolchain, tenants int) (throttleResult, error) {
	res := throttleResult{tenants: tenants, bound: rateBound(tenants)}
	f := newFleet(tenants)
	defer f.close()
	// One saved plan, applied twice from two workspaces with the same configuration: first
	// without a rate limit, then with it.
	config := f.config("0")
	free, err := tc.newWorkspace(fmt.Sprintf("throttle-%d-free", tenants), tc.binDir)
	if err != nil {
		return res, err
	}
	limited, err := tc.newWorkspace(fmt.Sprintf("throttle-%d-limited", tenants), tc.binDir)
	if err != nil {
		return res, err
	}
	for _, w := range []*workspace{free, limited} {
		if err := w.writeConfig(config); err != nil {
			return res, err
		}
	}
	if _, err := free.terraform(ctx, "plan", "-no-color", "-input=false", "-out=tfplan", fmt.Sprintf("-parallelism=%d", throttleParallelism)); err != nil {
		return res, err
	}
	if err := copyFile(filepath.Join(free.dir, "tfplan"), filepath.Join(limited.dir, "tfplan")); err != nil {
		return res, err
	}
	apply := []string{"apply", "-no-color", "-input=false", fmt.Sprintf("-parallelism=%d", throttleParallelism), "tfplan"}

	m, err := free.terraform(ctx, apply...)
	if err != nil {
		return res, err
	}
	res.free = m.wall
	if missing := f.missingBindings(); missing != 0 {
		return res, fmt.Errorf("%d bindings missing after the apply without a rate limit", missing)
	}

	f.sim.Reset()
	f.sim.SetRateLimit(throttleRate, throttleBurst)
	m, err = limited.terraform(ctx, apply...)
	if err != nil {
		return res, err
	}
	res.limited = m.wall
	res.failures = f.missingBindings()
	reqs := f.sim.Requests()
	res.requests = len(reqs)
	for _, r := range reqs {
		if r.Status == http.StatusTooManyRequests {
			res.throttled++
		}
	}
	if len(reqs) > 0 {
		res.requestPhase = reqs[len(reqs)-1].Time.Sub(reqs[0].Time)
	}
	return res, nil
}

func (f *fleet) missingBindings() int {
	missing := 0
	for _, t := range f.tenants {
		states, err := f.sim.Bindings(t.AccessKey)
		if err != nil {
			return len(f.tenants) * bindingsPerTenant
		}
		missing += bindingsPerTenant - len(states)
	}
	return missing
}

func reportThrottle(r *report, results []throttleResult) {
	for _, res := range results {
		name := fmt.Sprintf("%d tenants × %d", res.tenants, bindingsPerTenant)
		// Not held to the bound: the apply also starts a provider process per tenant, which
		// overlaps the waiting partly, so neither "no limit" nor their sum bounds it exactly.
		r.add(row{
			section: "throttle",
			measure: name + ": apply wall",
			value:   secs(res.limited),
			against: fmt.Sprintf("no limit %s, M %s", secs(res.free), secs(res.bound)),
		})
		ratio := res.requestPhase.Seconds() / res.bound.Seconds()
		gated := ratio
		if res.failures > 0 {
			gated = math.Inf(1)
		}
		r.check(row{
			section: "throttle",
			measure: name + ": first to last request",
			value:   fmt.Sprintf("%s (%d requests, %d × 429, %d failed)", secs(res.requestPhase), res.requests, res.throttled, res.failures),
			against: "M " + secs(res.bound),
			ratio:   times(ratio),
			target:  fmt.Sprintf("≤ %.1f×, 0 failed", maxThrottleRatio),
		}, gated, maxThrottleRatio)
	}
}

// rateBound is the makespan of an ideal client under Terraform's dispatch: the tenants' creates
// queue in tenant order for throttleParallelism slots, each costs nothing, and each finishes
// the instant its tenant's bucket holds a token.
func rateBound(tenants int) time.Duration {
	interval := 1 / throttleRate
	tolerance := (throttleBurst - 1) * interval
	// slotFree holds the time at which each slot becomes free.
	slotFree := make([]float64, throttleParallelism)
	var makespan float64
	for range tenants {
		// The bucket as a theoretical arrival time (GCRA), which is equivalent and tells when
		// a request conforms without simulating the refill.
		tat := 0.0
		for range bindingsPerTenant {
			slot := slices.Index(slotFree, slices.Min(slotFree))
			done := max(slotFree[slot], tat-tolerance)
			tat = max(tat, done) + interval
			slotFree[slot] = done
			makespan = max(makespan, done)
		}
	}
	return time.Duration(makespan * float64(time.Second))
}
