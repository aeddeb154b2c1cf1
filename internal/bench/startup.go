package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"
)

// Start-up: the same commands with no provider (Terraform's floor), with the reference
// provider and with coc, each configuration declaring one resource. Runs are interleaved, the
// order rotating each round, and a provider's overhead is the median of its per-round
// difference to the floor, so that drift in the machine's load cancels out.

const maxStartupRatio = 1.25

type startupVariant struct {
	name string
	// binary is the provider's executable; empty for the floor.
	binary func(*toolchain) string
	config string
}

var (
	floorVariant = startupVariant{name: "floor", config: "terraform {}\n"}
	refVariant   = startupVariant{name: "reference", binary: func(tc *toolchain) string { return tc.refBinary },
		config: "terraform {\n  required_providers {\n    ref = { source = \"bench/ref\" }\n  }\n}\n" +
			"resource \"ref_thing\" \"this\" {\n  name = \"bench\"\n}\n"}
	cocVariant = startupVariant{name: "coc", binary: func(tc *toolchain) string { return tc.cocBinary },
		config: requiredCoc + `resource "coc_lark_app" "this" {
  app_id     = "cli_a1b2c3d4e5f6a7b8"
  app_secret = "bench-app-secret"
}
`}
	startupVariants = []startupVariant{floorVariant, refVariant, cocVariant}
)

type startupCommand struct {
	label string
	args  []string
}

var startupCommands = []startupCommand{
	{"providers schema -json", []string{"providers", "schema", "-json"}},
	{"validate", []string{"validate", "-no-color"}},
}

// startupSamples holds one measurement per round, by command label and variant name.
type startupSamples map[string]map[string][]measurement

func measureStartup(ctx context.Context, tc *toolchain, rounds int) (startupSamples, error) {
	workspaces := map[string]*workspace{}
	for _, v := range startupVariants {
		w, err := tc.newWorkspace("startup-"+v.name, tc.binDir)
		if err != nil {
			return nil, err
		}
		if err := w.writeConfig(v.config); err != nil {
			return nil, err
		}
		workspaces[v.name] = w
	}
	samples := startupSamples{}
	// Round 0 warms the page cache and is not counted.
	for round := 0; round <= rounds; round++ {
		for _, c := range startupCommands {
			if samples[c.label] == nil {
				samples[c.label] = map[string][]measurement{}
			}
			for i := range startupVariants {
				v := startupVariants[(i+round)%len(startupVariants)]
				m, err := workspaces[v.name].terraform(ctx, c.args...)
				if err != nil {
					return nil, err
				}
				if round > 0 {
					samples[c.label][v.name] = append(samples[c.label][v.name], m)
				}
			}
		}
	}
	return samples, nil
}

func reportStartup(r *report, samples startupSamples, rounds int) {
	for _, c := range startupCommands {
		byVariant := samples[c.label]
		for _, metric := range []struct {
			name string
			get  func(measurement) time.Duration
		}{
			{"wall", func(m measurement) time.Duration { return m.wall }},
			{"CPU", func(m measurement) time.Duration { return m.cpu }},
		} {
			overhead := func(v startupVariant) time.Duration {
				var diffs []time.Duration
				for i, m := range byVariant[v.name] {
					diffs = append(diffs, metric.get(m)-metric.get(byVariant[floorVariant.name][i]))
				}
				return median(diffs)
			}
			var floor []time.Duration
			for _, m := range byVariant[floorVariant.name] {
				floor = append(floor, metric.get(m))
			}
			coc, ref := overhead(cocVariant), overhead(refVariant)
			ratio := float64(coc) / float64(max(ref, time.Millisecond))
			r.check(row{
				section: "start-up",
				measure: fmt.Sprintf("terraform %s, %s (median of %d)", c.label, metric.name, rounds),
				value:   fmt.Sprintf("floor %s, coc +%s", ms(median(floor)), ms(coc)),
				against: "reference +" + ms(ref),
				ratio:   times(ratio),
				target:  fmt.Sprintf("≤ %.2f×", maxStartupRatio),
			}, ratio, maxStartupRatio)
		}
	}
}

// measureLaunchCPU measures the provider processes alone, through the wrapper of rss.go: their
// own CPU time, which Terraform's work around them hides in the figures above.
func measureLaunchCPU(ctx context.Context, tc *toolchain, r *report, rounds int) error {
	probed := map[string]*probedWorkspace{}
	providers := []startupVariant{refVariant, cocVariant}
	for _, v := range providers {
		w, err := tc.probedWorkspace("launch-"+v.name, v.binary(tc))
		if err != nil {
			return err
		}
		if err := w.writeConfig(v.config); err != nil {
			return err
		}
		probed[v.name] = w
	}
	cpu := map[string][]time.Duration{}
	for round := 0; round <= rounds; round++ {
		for i := range providers {
			v := providers[(i+round)%len(providers)]
			launches, err := probed[v.name].launches(ctx, startupCommands[0].args...)
			if err != nil {
				return err
			}
			for _, l := range launches {
				if round > 0 {
					cpu[v.name] = append(cpu[v.name], l.cpu)
				}
			}
		}
	}
	coc, ref := median(cpu[cocVariant.name]), median(cpu[refVariant.name])
	r.add(row{
		section: "start-up",
		measure: fmt.Sprintf("provider process alone: CPU per launch, %s (median of %d)", startupCommands[0].label, rounds),
		value:   "coc " + ms(coc),
		against: "reference " + ms(ref),
		ratio:   times(float64(coc) / float64(ref)),
	})
	return nil
}

func reportBinarySize(r *report, tc *toolchain) error {
	const limit = 30 << 20
	info, err := os.Stat(tc.cocBinary)
	if err != nil {
		return err
	}
	r.check(row{section: "size", measure: "release binary (-trimpath -s -w)", value: mib(info.Size()), target: "≤ " + mib(limit)},
		float64(info.Size()), limit)
	return nil
}

func median(values []time.Duration) time.Duration {
	if len(values) == 0 {
		return 0
	}
	sorted := slices.Clone(values)
	slices.Sort(sorted)
	n := len(sorted)
	if n%2 == 1 {
		return sorted[n/2]
	}
	return (sorted[n/2-1] + sorted[n/2]) / 2
}
