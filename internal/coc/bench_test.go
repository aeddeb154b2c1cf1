package coc

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The hot paths of a terraform run: every response is decoded (the signer's are in
// internal/hwhttp, the simulator's decoding of writes in internal/simulator). `make bench` runs
// these with -benchmem; allocations matter because a plan of many tenants decodes thousands of
// times.

func benchGolden(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkBindingUnmarshalJSON(b *testing.B) {
	data := []byte(`{"app_type":"dingtalk","client_id":"dingabcdefghij012345","created_at":"2026-01-02T03:04:07.000Z",` +
		`"group_template_id":"tpl-0001","key_updated_at":"2026-01-02T03:04:07.000Z","robot_id":"robot-0001",` +
		`"service_id":"2000001","status":"enabled","updated_at":"2026-01-02T03:04:07.000Z"}`)
	b.ReportAllocs()
	for b.Loop() {
		var binding Binding
		if err := binding.UnmarshalJSON(data); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodeEnvelope decodes and checks a GET response the way every read does.
func BenchmarkDecodeEnvelope(b *testing.B) {
	data := benchGolden(b, "response_get_lark.json")
	a := &answer{c: &call{method: http.MethodGet, path: bindingPath(platforms.Lark), appType: platforms.Lark}}
	b.ReportAllocs()
	for b.Loop() {
		var binding Binding
		if err := a.envelope(data, &binding); err != nil {
			b.Fatal(err)
		}
	}
}
