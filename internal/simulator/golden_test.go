package simulator_test

import (
	"bytes"
	"flag"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

var update = flag.Bool("update", false, "rewrite the golden response files from the simulator")

// goldenDir is shared with the client's tests: the client decodes exactly the bytes the
// simulator is pinned to produce here, so the two cannot drift apart.
const goldenDir = "../coc/testdata/golden"

func TestSimulatorMatchesGoldenFixtures(t *testing.T) {
	tenant := simulator.Tenant{AccessKey: "AKGOLDEN", SecretKey: "SKGOLDEN", DomainID: "golden-domain"}
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	sim := simulator.New([]simulator.Tenant{tenant}, simulator.WithClock(now))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	signer := coc.Signer{Credentials: coc.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}, Now: now}

	steps := []struct {
		method, target, request string
		sign                    bool
		status                  int
		response                string
	}{
		{"POST", "/v1/mobile-apps/wecom", "request_create_wecom.json", true, 201, "response_create_wecom.json"},
		{"POST", "/v1/mobile-apps/dingtalk", "request_create_dingtalk.json", true, 201, "response_create_dingtalk.json"},
		{"POST", "/v1/mobile-apps/lark", "request_create_lark.json", true, 201, "response_create_lark.json"},
		{"GET", "/v1/mobile-apps/lark", "", true, 200, "response_get_lark.json"},
		{"PUT", "/v1/mobile-apps/lark", "request_update_lark_without_secret.json", true, 200, "response_update_lark.json"},
		{"GET", "/v1/mobile-apps?limit=2", "", true, 200, "response_list_page1.json"},
		{"GET", "/v1/mobile-apps?limit=2&offset=2", "", true, 200, "response_list_page2.json"},
		{"GET", "/v1/mobile-apps?app_type=dingtalk", "", true, 200, "response_list_dingtalk.json"},
		{"POST", "/v1/mobile-apps/wecom", "request_create_wecom.json", true, 409, "response_error_conflict.json"},
		{"PUT", "/v1/mobile-apps/dingtalk", "request_update_dingtalk_new_identifier.json", true, 400, "response_error_immutable.json"},
		{"POST", "/v1/mobile-apps/lark", "request_invalid_lark.json", true, 400, "response_error_validation.json"},
		{"DELETE", "/v1/mobile-apps/lark", "", true, 204, ""},
		{"GET", "/v1/mobile-apps/lark", "", true, 404, "response_error_not_bound.json"},
		{"GET", "/v1/mobile-apps/lark", "", false, 401, "response_error_signature.json"},
	}
	for _, step := range steps {
		clock = clock.Add(time.Second)
		var body []byte
		if step.request != "" {
			var err error
			if body, err = os.ReadFile(filepath.Join(goldenDir, step.request)); err != nil {
				t.Fatal(err)
			}
			body = bytes.TrimSpace(body)
		}
		req, err := http.NewRequest(step.method, server.URL+step.target, bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if step.sign {
			signer.Sign(req, body)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if resp.StatusCode != step.status {
			t.Fatalf("%s %s: status %d, want %d: %s", step.method, step.target, resp.StatusCode, step.status, got)
		}
		if resp.Header.Get(coc.HeaderRequestID) == "" {
			t.Fatalf("%s %s: no %s header", step.method, step.target, coc.HeaderRequestID)
		}
		if step.response == "" {
			if len(got) != 0 {
				t.Fatalf("%s %s: want an empty body, got %s", step.method, step.target, got)
			}
			continue
		}
		path := filepath.Join(goldenDir, step.response)
		if *update {
			if err := os.WriteFile(path, got, 0o600); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s %s: response differs from %s\n got: %s\nwant: %s", step.method, step.target, step.response, got, want)
		}
	}
}
