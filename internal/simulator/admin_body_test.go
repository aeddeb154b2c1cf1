package simulator_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// A person calling the admin API with curl gets, for a body it cannot use, a JSON error that says
// what is wrong and what it expects, in words: no Go type names, no struct formatting.
func TestAdminAPI_MalformedBodiesGetAReadableJSONError(t *testing.T) {
	server := httptest.NewServer(simulator.New([]simulator.Tenant{{AccessKey: "AK", SecretKey: "SK", DomainID: "d"}}))
	t.Cleanup(server.Close)
	goIsms := regexp.MustCompile(`simulator\.|Go (value|struct)|\[\{|json: |%!|map\[|\bfloat64\b|\bint\b`)
	for _, c := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"PUT", "/_sim/bindings/lark", "", 400,
			"invalid lark binding: body must be a JSON object (its fields: app_id, service_id, app_secret)"},
		{"PUT", "/_sim/bindings/lark", `{"app_id": 1, "service_id": "s"}`, 400,
			"invalid lark binding: app_id must be a string, got a number; app_secret is required (its fields: app_id, service_id, app_secret)"},
		{"PUT", "/_sim/bindings/slack", `{}`, 400, `unknown app_type "slack": expected one of wecom, dingtalk, lark`},
		{"PUT", "/_sim/rate-limit", "", 400, "the body is empty: expected a JSON object with the fields rate, burst"},
		{"PUT", "/_sim/rate-limit", `{"rate": "fast"}`, 400,
			"rate must be a number, not a string: expected a JSON object with the fields rate, burst"},
		{"PUT", "/_sim/rate-limit", `{"rate": 2, "brust": 1}`, 400,
			`unknown field "brust": expected a JSON object with the fields rate, burst`},
		{"PUT", "/_sim/rate-limit", `{"rate": 2`, 400,
			"the body ends before its JSON value does: expected a JSON object with the fields rate, burst"},
		{"PUT", "/_sim/rate-limit", `rate=2`, 400,
			"the body is not valid JSON: invalid character 'r' looking for beginning of value (at byte 1)"},
		{"POST", "/_sim/faults", `{"status": 503.5}`, 400, "status must be a whole number, not 503.5: expected a JSON object with the fields "},
		{"POST", "/_sim/agencies", `{"name": "ops"}`, 400,
			"the body must be an array, not an object: expected a JSON array of objects, each with the fields name, domain_id, domain_name, trusted_domain_id"},
		{"POST", "/_sim/platform-apps", `[{"app_type": "lark", "app_id": "cli_1", "secrets": "s"}]`, 400,
			"secrets must be an array, not a string: expected a JSON array of objects, each with the fields app_type, app_id, secrets"},
		{"POST", "/_sim/tenants", `[{"access_key": "AK2", "secret_key": "SK2", "security_token": "t", "expires_at": "soon"}]`, 400,
			`a time must be in RFC 3339 format, such as 2026-01-02T03:04:05Z, not "soon"`},
		{"POST", "/_sim/bindings/lark/secrets", `{"app_secret": true}`, 400,
			`each value must be a string, not true or false: expected a JSON object of names to strings, such as {"name": "value"}`},
		{"GET", "/_sim/reset", "", 405, "/_sim/reset takes POST, not GET"},
		{"PATCH", "/_sim/bindings/lark", "", 405, "/_sim/bindings/lark takes PUT or DELETE, not PATCH"},
		{"GET", "/_sim/binding", "", 404, "the admin API has no route /_sim/binding; internal/simulator/README.md lists them"},
	} {
		t.Run(c.method+" "+c.path+" "+c.body, func(t *testing.T) {
			req, err := http.NewRequest(c.method, server.URL+c.path, strings.NewReader(c.body))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer func() { _ = resp.Body.Close() }()
			raw, _ := io.ReadAll(resp.Body)
			var answer map[string]string
			if err := json.Unmarshal(raw, &answer); err != nil || len(answer) != 1 || resp.Header.Get("Content-Type") != "application/json" {
				t.Fatalf("want a JSON object with one field, error; got %s (%s): %s", resp.Header.Get("Content-Type"), err, raw)
			}
			if resp.StatusCode != c.status || !strings.HasPrefix(answer["error"], c.want) {
				t.Errorf("got %d %q\nwant %d %q", resp.StatusCode, answer["error"], c.status, c.want)
			}
			if m := goIsms.FindString(answer["error"]); m != "" {
				t.Errorf("the error speaks Go (%q): %s", m, answer["error"])
			}
		})
	}
}
