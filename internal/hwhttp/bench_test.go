package hwhttp

import (
	"net/http"
	"net/url"
	"testing"
	"time"
)

// The hot path of a terraform run: every request is signed. `make bench` runs these with
// -benchmem; allocations matter because a plan of many tenants signs thousands of times.

// benchRequest is a PUT as the client sends it, before signing.
func benchRequest(b *testing.B) (*http.Request, []byte) {
	b.Helper()
	body := []byte(`{"client_id":"dingabcdefghij012345","client_secret":"golden-client-secret","group_template_id":"tpl-0001","robot_id":"robot-0001","service_id":"2000001"}`)
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
