package coc

import (
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The hot paths of a terraform run: every request is signed, every response decoded, and the
// simulator decodes every write. `make bench` runs these with -benchmem; allocations matter
// because a plan of many tenants signs and decodes thousands of times.

func benchGolden(b *testing.B, name string) []byte {
	b.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "golden", name))
	if err != nil {
		b.Fatal(err)
	}
	return data
}

// benchRequest is a PUT as the client sends it, before signing.
func benchRequest(b *testing.B) (*http.Request, []byte) {
	b.Helper()
	body := benchGolden(b, "request_create_dingtalk.json")
	req, err := http.NewRequest(http.MethodPut, "https://coc.myhuaweicloud.com/v1/mobile-apps/dingtalk", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "terraform-provider-coc/bench terraform/1.11.4")
	req.Header.Set(HeaderDomainID, "domain-00")
	return req, body
}

var benchNow = func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

func BenchmarkSign(b *testing.B) {
	req, body := benchRequest(b)
	s := Signer{Credentials: Credentials{AccessKey: "AKBENCH", SecretKey: "SK-bench-0123456789", SecurityToken: "token"}, Now: benchNow}
	b.ReportAllocs()
	for b.Loop() {
		s.Sign(req, body)
	}
}

func BenchmarkCanonicalRequest(b *testing.B) {
	req, body := benchRequest(b)
	Signer{Credentials: Credentials{AccessKey: "AKBENCH", SecretKey: "SK"}, Now: benchNow}.Sign(req, body)
	signed := SignedHeaderNames(req.Header)
	u, err := url.Parse("https://coc.myhuaweicloud.com/v1/mobile-apps?app_type=lark&limit=100&offset=200")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		CanonicalRequest(http.MethodGet, u, req.Header, signed, body)
	}
}

func BenchmarkSignature(b *testing.B) {
	req, body := benchRequest(b)
	Signer{Credentials: Credentials{AccessKey: "AKBENCH", SecretKey: "SK"}, Now: benchNow}.Sign(req, body)
	canonical := CanonicalRequest(req.Method, req.URL, req.Header, SignedHeaderNames(req.Header), body)
	b.ReportAllocs()
	for b.Loop() {
		Signature("SK-bench-0123456789", "20260102T030405Z", canonical)
	}
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
	a := &answer{c: &call{method: http.MethodGet, path: bindingPath(Lark), appType: Lark}}
	b.ReportAllocs()
	for b.Loop() {
		var binding Binding
		if err := a.envelope(data, &binding); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeBindingRequest(b *testing.B) {
	data := benchGolden(b, "request_create_dingtalk.json")
	p, err := PlatformFor(DingTalk)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, problems := DecodeBindingRequest(p, Create, data); problems != nil {
			b.Fatal(problems)
		}
	}
}
