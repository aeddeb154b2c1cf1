package main

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// API calls per operation: one tenant with an app of every platform, taken through a lifecycle with the
// real CLI; after each command the simulator's request log is compared with the minimum.
// internal/provider/api_calls_test.go asserts the same counts per platform in `make test`.

type callStep struct {
	measure string
	config  func(f *fleet) string
	args    []string
	// want counts calls by "METHOD kind", kind being "binding" or "list".
	want map[string]int
}

func callSteps() []callStep {
	n := bindingsPerTenant
	pages := (n + coc.MaxPageLimit - 1) / coc.MaxPageLimit
	apply := []string{"apply", "-no-color", "-auto-approve", "-input=false"}
	withDataSource := func(f *fleet) string {
		return f.config(1) + "data \"coc_mobile_apps\" \"all\" {\n  provider = coc.t000\n}\n"
	}
	return []callStep{
		// terraform apply plans, then plans again as it applies: each plan asks whether the
		// platform is free before the create.
		{fmt.Sprintf("create %d bindings (apply: plan's check + apply's check + create)", n), func(f *fleet) string { return f.config(0) }, apply,
			map[string]int{"GET binding": 2 * n, "POST binding": n}},
		{fmt.Sprintf("refresh %d bindings (plan)", n), func(f *fleet) string { return f.config(0) }, []string{"plan", "-no-color", "-input=false"},
			map[string]int{"GET binding": n}},
		{fmt.Sprintf("update %d bindings (apply: refresh + update)", n), func(f *fleet) string { return f.config(1) }, apply,
			map[string]int{"GET binding": n, "PUT binding": n}},
		{fmt.Sprintf("data source over %d bindings, limit %d (plan: refresh + read)", n, coc.MaxPageLimit), withDataSource,
			[]string{"plan", "-no-color", "-input=false"}, map[string]int{"GET binding": n, "GET list": pages}},
		{fmt.Sprintf("delete %d bindings (destroy: refresh + delete)", n), func(f *fleet) string { return f.config(1) },
			[]string{"destroy", "-no-color", "-auto-approve", "-input=false"}, map[string]int{"GET binding": n, "DELETE binding": n}},
	}
}

func measureCalls(ctx context.Context, tc *toolchain, r *report) error {
	f := newFleet(1)
	defer f.close()
	w, err := tc.newWorkspace("calls", tc.binDir)
	if err != nil {
		return err
	}
	for _, step := range callSteps() {
		if err := w.writeConfig(step.config(f)); err != nil {
			return err
		}
		f.sim.ClearRequests()
		if _, err := w.terraform(ctx, step.args...); err != nil {
			return err
		}
		got := map[string]int{}
		for _, req := range f.sim.Requests() {
			kind := "binding"
			if req.Path == coc.MobileAppsPath {
				kind = "list"
			}
			got[req.Method+" "+kind]++
		}
		extra := 0.0
		if !maps.Equal(got, step.want) {
			extra = 1
		}
		r.check(row{section: "API calls", measure: step.measure, value: formatCalls(got), against: "minimum " + formatCalls(step.want)}, extra, 0)
	}
	return nil
}

func formatCalls(calls map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(calls)) {
		parts = append(parts, fmt.Sprintf("%d %s", calls[k], k))
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, " + ")
}
