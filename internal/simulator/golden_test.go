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
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

var update = flag.Bool("update", false, "rewrite the golden response files from the simulator")

// goldenDir is shared with the client's tests: the client decodes exactly the bytes the
// simulator is pinned to produce here, so the two cannot drift apart.
const goldenDir = "../coc/testdata/golden"

// goldenStep is one exchange of a golden test.
type goldenStep struct {
	method, target string
	// request names the golden file whose body is sent; empty sends none.
	request string
	// edit, when set, changes the body before it is sent.
	edit func(body []byte) []byte
	// header holds extra request headers.
	header map[string]string
	// signer signs the request; nil sends it unsigned.
	signer *hwhttp.Signer
	status int
	// response names the golden file the answer's body must equal; empty wants no body.
	response string
}

// exchange sends a step's request and compares the answer's body with the step's golden file in
// dir, or rewrites that file with -update. It returns the answer's header.
func exchange(t *testing.T, server *httptest.Server, dir string, step goldenStep) http.Header {
	t.Helper()
	var body []byte
	if step.request != "" {
		body = testkit.Golden(t, dir, step.request)
	}
	if step.edit != nil {
		body = step.edit(body)
	}
	req, err := http.NewRequest(step.method, server.URL+step.target, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for name, v := range step.header {
		req.Header.Set(name, v)
	}
	if step.signer != nil {
		step.signer.Sign(req, body)
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
	if resp.Header.Get(hwhttp.HeaderRequestID) == "" {
		t.Fatalf("%s %s: no %s header", step.method, step.target, hwhttp.HeaderRequestID)
	}
	if step.response == "" {
		if len(got) != 0 {
			t.Fatalf("%s %s: want an empty body, got %s", step.method, step.target, got)
		}
		return resp.Header
	}
	path := filepath.Join(dir, step.response)
	if *update {
		if err := os.WriteFile(path, got, 0o600); err != nil {
			t.Fatal(err)
		}
		return resp.Header
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s %s: response differs from %s\n got: %s\nwant: %s", step.method, step.target, step.response, got, want)
	}
	return resp.Header
}

func TestSimulatorMatchesGoldenFixtures(t *testing.T) {
	tenant := simulator.Tenant{AccessKey: "AKGOLDEN", SecretKey: "SKGOLDEN", DomainID: "golden-domain"}
	clock := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := func() time.Time { return clock }
	// The temporary key expires as the first step starts.
	expired := simulator.Tenant{AccessKey: "AKEXPIRED", SecretKey: "SKEXPIRED", DomainID: "golden-domain", SecurityToken: "golden-token", ExpiresAt: clock}
	sim := simulator.New([]simulator.Tenant{tenant, expired}, simulator.WithClock(now))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	signer := &hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: tenant.AccessKey, SecretKey: tenant.SecretKey}, Now: now}
	expiredSigner := &hwhttp.Signer{Credentials: hwhttp.Credentials{AccessKey: expired.AccessKey, SecretKey: expired.SecretKey, SecurityToken: expired.SecurityToken}, Now: now}

	key := map[string]string{coc.HeaderIdempotencyKey: "golden-idempotency-key-0001"}
	otherSecret := func(body []byte) []byte {
		return bytes.Replace(body, []byte("golden-app-secret"), []byte("another-app-secret"), 1)
	}
	replays := 0
	for _, step := range []goldenStep{
		{method: "POST", target: "/v1/mobile-apps/wecom", request: "request_create_wecom.json", signer: signer, status: 201, response: "response_create_wecom.json"},
		{method: "POST", target: "/v1/mobile-apps/dingtalk", request: "request_create_dingtalk.json", signer: signer, status: 201, response: "response_create_dingtalk.json"},
		{method: "POST", target: "/v1/mobile-apps/lark", request: "request_create_lark.json", header: key, signer: signer, status: 201, response: "response_create_lark.json"},
		{method: "GET", target: "/v1/mobile-apps/lark", signer: signer, status: 200, response: "response_get_lark.json"},
		// The same create again: COC answers as it did, byte for byte, and says it is a replay.
		{method: "POST", target: "/v1/mobile-apps/lark", request: "request_create_lark.json", header: key, signer: signer, status: 201, response: "response_create_lark.json"},
		{method: "POST", target: "/v1/mobile-apps/lark", request: "request_create_lark.json", edit: otherSecret, header: key, signer: signer, status: 422, response: "response_error_key_reused.json"},
		{method: "PUT", target: "/v1/mobile-apps/lark", request: "request_update_lark_without_secret.json", signer: signer, status: 200, response: "response_update_lark.json"},
		{method: "GET", target: "/v1/mobile-apps?limit=2", signer: signer, status: 200, response: "response_list_page1.json"},
		{method: "GET", target: "/v1/mobile-apps?limit=2&offset=2", signer: signer, status: 200, response: "response_list_page2.json"},
		{method: "GET", target: "/v1/mobile-apps?app_type=dingtalk", signer: signer, status: 200, response: "response_list_dingtalk.json"},
		{method: "POST", target: "/v1/mobile-apps/wecom", request: "request_create_wecom.json", signer: signer, status: 409, response: "response_error_conflict.json"},
		{method: "PUT", target: "/v1/mobile-apps/dingtalk", request: "request_update_dingtalk_new_identifier.json", signer: signer, status: 400, response: "response_error_immutable.json"},
		{method: "POST", target: "/v1/mobile-apps/lark", request: "request_invalid_lark.json", signer: signer, status: 400, response: "response_error_validation.json"},
		{method: "DELETE", target: "/v1/mobile-apps/lark?app_id=cli_b8a7f6e5d4c3b2a1", signer: signer, status: 412, response: "response_error_other_app_bound.json"},
		{method: "DELETE", target: "/v1/mobile-apps/lark?app_id=cli_a1b2c3d4e5f6a7b8", signer: signer, status: 204},
		{method: "GET", target: "/v1/mobile-apps/lark", signer: signer, status: 404, response: "response_error_not_bound.json"},
		{method: "GET", target: "/v1/mobile-apps/lark", status: 401, response: "response_error_signature.json"},
		{method: "GET", target: "/v1/mobile-apps/lark", signer: expiredSigner, status: 401, response: "response_error_token_expired.json"},
		{method: "GET", target: "/v1/mobile-app/lark", signer: signer, status: 404, response: "response_error_not_published.json"},
	} {
		clock = clock.Add(time.Second)
		header := exchange(t, server, goldenDir, step)
		replayed := header.Get(coc.HeaderIdempotentReplayed) == "true"
		if wantReplayed := step.method == "POST" && step.status == 201 && step.header != nil && step.target == "/v1/mobile-apps/lark" && replays > 0; replayed != wantReplayed {
			t.Errorf("%s %s: %s is %v, want %v", step.method, step.target, coc.HeaderIdempotentReplayed, replayed, wantReplayed)
		}
		if step.header != nil && step.status == 201 {
			replays++
		}
	}
}
