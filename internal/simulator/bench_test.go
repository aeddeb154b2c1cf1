package simulator_test

import (
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// BenchmarkDecodeBindingRequest decodes a create the way the simulator decodes every write.
func BenchmarkDecodeBindingRequest(b *testing.B) {
	data := testkit.Golden(b, goldenDir, "request_create_dingtalk.json")
	p, err := platforms.For(platforms.DingTalk)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, problems := simulator.DecodeBindingRequest(p, simulator.Create, data); problems != nil {
			b.Fatal(problems)
		}
	}
}
