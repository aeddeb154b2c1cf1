package main

import (
	"context"
	"fmt"
	"math"
	"net/http"
	"path/filepath"
	"slices"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// Throttle-bound apply: T tenants × a binding per platform, one aliased provider block (so one
// provider process) per tenant, -parallelism=10, against the simulator's per-tenant token bucket.
//
// Rate 1/s with burst 1 makes the limit bind: a tenant's N creates need at least N-1 seconds
// however they are sent. Terraform shapes the rest: it hands the creates out in its own order and an
// operation holds its slot while it waits for a token. The bound M (orderBound) is the least
// time from the first request to the last in which any client could have finished, given that
// order; the simulator's log gives the time the provider took. The wall time of the whole
// apply, which also starts T provider processes, is reported next to the same apply without a
// limit.

const (
	throttleRate        = 1.0
	throttleBurst       = 1
	throttleParallelism = 10
	maxThrottleRatio    = 1.3
)

// bindingsPerTenant is a binding per platform.
var bindingsPerTenant = len(platforms.All())

// limitedApply is one apply against the rate limit.
type limitedApply struct {
	wall time.Duration
	// requestPhase runs from the first to the last request, by the simulator's log: the part of
	// the apply the rate limit governs. bound is orderBound of the same log.
	requestPhase, bound time.Duration
	requests            int
	throttled           int // answered 429
	failures            int // bindings missing after the apply
}

type throttleResult struct {
	tenants int
	// free is the wall time of the apply without a rate limit.
	free time.Duration
	// precise is the apply against the simulator as it is; secondsOnly, when measured, against
	// the same simulator with Retry-After-Ms removed, as a gateway that only sends Retry-After.
	precise     limitedApply
	secondsOnly *limitedApply
}

func measureThrottle(ctx context.Context, tc *toolchain, tenants int, compareSeconds bool) (throttleResult, error) {
	res := throttleResult{tenants: tenants}
	f := newFleet(tenants)
	defer f.close()
	// One saved plan, applied from three workspaces with the same configuration: without a rate
	// limit, with it, and with it but whole-second Retry-After only.
	var workspaces []*workspace
	for _, name := range []string{"free", "precise", "seconds"} {
		w, err := tc.newWorkspace(fmt.Sprintf("throttle-%d-%s", tenants, name), tc.binDir)
		if err != nil {
			return res, err
		}
		if err := w.writeConfig(f.config(0)); err != nil {
			return res, err
		}
		workspaces = append(workspaces, w)
	}
	plan := []string{"plan", "-no-color", "-input=false", "-out=tfplan", fmt.Sprintf("-parallelism=%d", throttleParallelism)}
	if _, err := workspaces[0].terraform(ctx, plan...); err != nil {
		return res, err
	}
	for _, w := range workspaces[1:] {
		if err := copyFile(filepath.Join(workspaces[0].dir, "tfplan"), filepath.Join(w.dir, "tfplan")); err != nil {
			return res, err
		}
	}
	apply := []string{"apply", "-no-color", "-input=false", fmt.Sprintf("-parallelism=%d", throttleParallelism), "tfplan"}

	m, err := workspaces[0].terraform(ctx, apply...)
	if err != nil {
		return res, err
	}
	res.free = m.wall
	if missing := f.missingBindings(); missing != 0 {
		return res, fmt.Errorf("%d bindings missing after the apply without a rate limit", missing)
	}
	limited := func(w *workspace, secondsOnly bool) (limitedApply, error) {
		f.sim.Reset()
		f.sim.SetRateLimit(throttleRate, throttleBurst)
		f.secondsOnly.Store(secondsOnly)
		defer f.secondsOnly.Store(false)
		m, err := w.terraform(ctx, apply...)
		if err != nil {
			return limitedApply{}, err
		}
		out := limitedApply{wall: m.wall, failures: f.missingBindings()}
		reqs := f.sim.Requests()
		out.requests = len(reqs)
		for _, r := range reqs {
			if r.Status == http.StatusTooManyRequests {
				out.throttled++
			}
		}
		if len(reqs) > 0 {
			out.requestPhase = reqs[len(reqs)-1].Time.Sub(reqs[0].Time)
		}
		out.bound = orderBound(reqs)
		return out, nil
	}
	if res.precise, err = limited(workspaces[1], false); err != nil || !compareSeconds {
		return res, err
	}
	secondsOnly, err := limited(workspaces[2], true)
	res.secondsOnly = &secondsOnly
	return res, err
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
		// The wall time is not held to a bound: the apply also starts a provider process per
		// tenant, which partly overlaps the waiting, so neither "no limit" nor the sum bounds it.
		wall := row{section: "throttle", measure: name + ": apply wall", value: secs(res.precise.wall), against: "no limit " + secs(res.free)}
		type limitedRow struct {
			label string
			apply limitedApply
			gated bool
		}
		runs := []limitedRow{{"first to last request", res.precise, true}}
		if res.secondsOnly != nil {
			wall.against += "; seconds only " + secs(res.secondsOnly.wall)
			runs = append(runs, limitedRow{"same, Retry-After (seconds) only", *res.secondsOnly, false})
		}
		r.add(wall)
		for _, run := range runs {
			a := run.apply
			ratio := a.requestPhase.Seconds() / a.bound.Seconds()
			rw := row{
				section: "throttle",
				measure: name + ": " + run.label,
				value:   fmt.Sprintf("%s (%d requests, %d × 429, %d failed)", secs(a.requestPhase), a.requests, a.throttled, a.failures),
				against: "M " + secs(a.bound),
				ratio:   times(ratio),
			}
			if !run.gated {
				r.add(rw)
				continue
			}
			rw.target = fmt.Sprintf("≤ %.1f×, 0 failed", maxThrottleRatio)
			if a.failures > 0 {
				ratio = math.Inf(1)
			}
			r.check(rw, ratio, maxThrottleRatio)
		}
	}
}

// orderBound is the least time, from the first request to the last, in which any client could
// have made these operations succeed, given the order in which Terraform handed them out (the
// order of their first attempts) and throttleParallelism slots. An operation is what one
// resource does to its binding (the requests of a tenant to one path), in steps: each call it
// makes (a create reads the binding, to check the platform is free, then posts it), the first
// attempt of each a step, every other a retry. It schedules them greedily in that order, each
// step costing nothing and finishing the instant its tenant's bucket holds a token, and not
// before the operation's previous step. A real run in the same order is never faster: every step
// starts no earlier and waits for no earlier token (by induction over the order).
func orderBound(reqs []simulator.RequestRecord) time.Duration {
	interval := 1 / throttleRate
	tolerance := (throttleBurst - 1) * interval
	// slotFree holds the time at which each slot becomes free.
	slotFree := make([]float64, throttleParallelism)
	// tat is each tenant's bucket as a theoretical arrival time (GCRA, equivalent to the token
	// bucket): a request conforms from tat-tolerance on.
	tat := map[string]float64{}
	// slotOf is the slot each operation holds, and stepped the steps already scheduled.
	slotOf := map[string]int{}
	stepped := map[string]bool{}
	var makespan float64
	for _, r := range reqs {
		op, step := r.AccessKey+" "+r.Path, r.AccessKey+" "+r.Method+" "+r.Path
		if stepped[step] {
			continue // a retry
		}
		stepped[step] = true
		slot, started := slotOf[op]
		if !started {
			slot = slices.Index(slotFree, slices.Min(slotFree))
			slotOf[op] = slot
		}
		done := max(slotFree[slot], tat[r.AccessKey]-tolerance)
		tat[r.AccessKey] = max(tat[r.AccessKey], done) + interval
		slotFree[slot] = done
		makespan = max(makespan, done)
	}
	return time.Duration(makespan * float64(time.Second))
}
