package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// malformedResponse is an answer that is not what the contract promises, as a proxy, a wrong
// endpoint or a broken server might give, and what the user must be told.
type malformedResponse struct {
	name, contentType, body string
	status                  int
	requestID               string
	// unconfirmed: COC may have made the binding behind this answer (a success that is unusable,
	// a server fault), so the create fails as not confirmed rather than as failed.
	unconfirmed bool
	want        []string
}

var malformedResponses = []malformedResponse{
	{name: "truncated JSON", unconfirmed: true, status: 201, contentType: "application/json", body: `{"error_code":"COC.00000000","data":{"app_type":"la`,
		want: []string{"POST /v1/mobile-apps/lark", "unexpected response: invalid JSON", "looked like COC's but contradicted the call"}},
	{name: "wrong types", unconfirmed: true, status: 201, contentType: "application/json", body: `{"error_code":"COC.00000000","data":{"app_type":"lark","app_id":123}}`,
		want: []string{`field "app_id": expected a string, got a number`, "contradicted the call"}},
	{name: "wrong timestamp type", unconfirmed: true, status: 201, contentType: "application/json", body: `{"error_code":"COC.00000000","data":{"app_type":"lark","created_at":true}}`,
		want: []string{"invalid data", "contradicted the call"}},
	{name: "missing envelope", unconfirmed: true, status: 201, contentType: "application/json", body: `{"app_type":"lark","app_id":"cli_a1b2c3d4e5f6a7b8"}`,
		want: []string{"the envelope has no error_code"}},
	{name: "success status with an error code", unconfirmed: true, status: 200, contentType: "application/json", body: `{"error_code":"COC.00050001","error_msg":"boom","data":{}}`,
		want: []string{"success status with error code COC.00050001: boom"}},
	{name: "HTML login page", status: 200, contentType: "text/html", body: "<html><form>login</form></html>",
		want: []string{"a success status with text/html (31 bytes) is not COC's answer", "does not serve the COC mobile-app API", "Check endpoint (HW_COC_ENDPOINT)"}},
	{name: "HTML error page from a proxy", unconfirmed: true, status: 502, contentType: "text/html", body: "<html><h1>502 Bad Gateway</h1><p>nginx</p></html>",
		want: []string{"does not know whether COC made it", "HTTP 502", "the error body is not a COC error (text/html, 49 bytes)"}},
	{name: "empty 500", unconfirmed: true, status: 500,
		want: []string{"HTTP 500", "the error body is not a COC error (no content type, 0 bytes)"}},
	{name: "huge body", unconfirmed: true, status: 201, contentType: "application/json", body: `{"data":"` + strings.Repeat("x", coc.DefaultMaxResponseBytes) + `"}`,
		want: []string{"the body exceeds 1048576 bytes"}},
	{name: "deeply nested JSON", unconfirmed: true, status: 201, contentType: "application/json", body: `{"data":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + `}`,
		want: []string{"invalid JSON", "exceeded max depth"}},
	{name: "error details naming no attribute", status: 400, contentType: "application/json",
		body: `{"error_code":"COC.00040001","error_msg":"invalid request parameters","details":[{"field":"no.such[field]","reason":"is odd"}]}`,
		want: []string{"COC rejected no.such[field]: is odd", "COC.00040001"}},
	{name: "invalid UTF-8 in the answer", status: 400, contentType: "application/json", requestID: "req-\xff\xfe",
		body: "{\"error_code\":\"COC.0004\xff\",\"error_msg\":\"bad \xc3\x28\"}",
		want: []string{"HTTP 400 COC.0004", "bad", "(request id req-"}},
}

// Malformed answers give a clear error through Terraform, never a panic or a hung run. One
// configuration holds a resource per answer, each with its own provider pointed at a server
// path that gives that answer to the create (and says "not bound" to the plan's question). An
// answer behind which COC may have made the binding fails the create as not confirmed, quoting
// the answer; any other fails it as failed.
func TestCLI_MalformedResponsesGiveClearErrors(t *testing.T) {
	t.Parallel()
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var i int
		if _, err := fmt.Sscanf(r.URL.Path, "/case%d/", &i); err != nil || i >= len(malformedResponses) {
			http.NotFound(w, r)
			return
		}
		if r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = fmt.Fprintf(w, `{"error_code":%q,"error_msg":"not bound"}`, coc.CodeNotBound)
			return
		}
		answer := malformedResponses[i]
		if answer.contentType != "" {
			w.Header().Set("Content-Type", answer.contentType)
		}
		w.Header().Set(hwhttp.HeaderRequestID, answer.requestID)
		w.WriteHeader(answer.status)
		_, _ = w.Write([]byte(answer.body))
	}))
	t.Cleanup(server.Close)
	env := newSimEnv(t, 1)
	w := newCLIWorkspace(t)
	config := requiredProviders
	for i := range malformedResponses {
		alias := fmt.Sprintf("case%d", i)
		config += fmt.Sprintf("provider \"coc\" {\n  alias = %q\n  endpoint = \"%s/%s\"\n  access_key = %q\n  secret_key = %q\n  max_retries = 0\n}\n",
			alias, server.URL, alias, env.tenants[0].AccessKey, env.tenants[0].SecretKey)
		config += platformCaseFor(platforms.Lark).resourceBlock(alias, map[string]string{"provider": "coc." + alias})
	}
	w.WriteConfig(t, config)
	out, err := w.Run("apply", "-auto-approve", "-input=false", "-json")
	if err == nil {
		t.Fatalf("the apply succeeded:\n%s", out)
	}
	if strings.Contains(out, "panic") || strings.Contains(out, "plugin crashed") || strings.Contains(out, "Plugin did not respond") {
		t.Fatalf("the provider crashed:\n%s", out)
	}
	errs := map[string][]string{}
	for _, m := range terraformMessages(out) {
		if m.Type == "diagnostic" && m.Diagnostic.Severity == "error" {
			errs[m.Diagnostic.Address] = append(errs[m.Diagnostic.Address], m.Diagnostic.Summary+": "+m.Diagnostic.Detail)
		}
	}
	for i, tc := range malformedResponses {
		addr := platformCaseFor(platforms.Lark).address(fmt.Sprintf("case%d", i))
		got := strings.Join(errs[addr], "\n")
		summary := "Failed to Create Lark App Binding"
		if tc.unconfirmed {
			summary = "Lark App Binding Not Confirmed"
		}
		want := append([]string{summary}, tc.want...)
		if !errorPattern(want...).MatchString(got) {
			t.Errorf("%s: %s: want an error saying %q, got:\n%s", tc.name, addr, want, got)
		}
		delete(errs, addr)
	}
	for addr, e := range errs {
		t.Errorf("an unexpected error for %q: %s", addr, e)
	}
}
