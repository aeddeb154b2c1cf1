package simulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// tokenCall sends a platform's token call to the simulator, as the platform's documentation
// gives it, and returns the status, the Lark log ID header and the decoded answer.
func tokenCall(t *testing.T, base string, appType platforms.AppType, appID, secret string) (int, string, map[string]any) {
	t.Helper()
	tc := platforms.MustFor(appType).Token
	target := base + simulator.PlatformPrefix + string(appType) + tc.Path
	var body io.Reader
	if tc.Method == http.MethodGet {
		target += "?" + url.Values{tc.AppIDField: {appID}, tc.SecretField: {secret}}.Encode()
	} else {
		data, _ := json.Marshal(map[string]string{tc.AppIDField: appID, tc.SecretField: secret})
		body = bytes.NewReader(data)
	}
	req, err := http.NewRequest(tc.Method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var answer map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, resp.Header.Get("X-Tt-Logid"), answer
}

// The admin API registers apps; each platform's token call then answers in the platform's own
// words: a token for registered credentials, its error for an unknown app or a wrong secret. The
// request log keeps the calls with the secret's fingerprint, never the secret, and a token call
// is no write. Reset keeps the apps.
func TestPlatformsAnswerTheirTokenCalls(t *testing.T) {
	sim := simulator.New(nil)
	server := httptest.NewServer(sim)
	defer server.Close()
	apps := `[{"app_type":"wecom","app_id":"ww1","secrets":["app-secret","contacts-secret"]},
		{"app_type":"dingtalk","app_id":"ding1","secrets":["ding-secret"]},{"app_type":"lark","app_id":"cli_1","secrets":["lark-secret"]}]`
	resp, err := http.Post(server.URL+simulator.AdminPrefix+"platform-apps", "application/json", strings.NewReader(apps))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("registering apps: %s", resp.Status)
	}
	sim.Reset()

	cases := []struct {
		appType             platforms.AppType
		appID, secret       string
		status              int
		codeField, wantCode string
		tokenField          string
	}{
		{platforms.WeCom, "ww1", "app-secret", 200, "errcode", "0", "access_token"},
		{platforms.WeCom, "ww1", "contacts-secret", 200, "errcode", "0", "access_token"},
		{platforms.WeCom, "ww1", "wrong-secret", 200, "errcode", "40001", ""},
		{platforms.WeCom, "ww2", "app-secret", 200, "errcode", "40013", ""},
		{platforms.WeCom, "ww1", "", 200, "errcode", "41004", ""},
		{platforms.DingTalk, "ding1", "ding-secret", 200, "code", "", "accessToken"},
		{platforms.DingTalk, "ding1", "wrong-secret", 400, "code", "invalidClientIdOrSecret", ""},
		{platforms.DingTalk, "ding2", "ding-secret", 400, "code", "invalidClientIdOrSecret", ""},
		{platforms.Lark, "cli_1", "lark-secret", 200, "code", "0", "tenant_access_token"},
		{platforms.Lark, "cli_1", "wrong-secret", 400, "code", "10014", ""},
		{platforms.Lark, "cli_2", "lark-secret", 200, "code", "10003", ""},
	}
	for _, tc := range cases {
		status, logID, answer := tokenCall(t, server.URL, tc.appType, tc.appID, tc.secret)
		code := ""
		if v, ok := answer[tc.codeField]; ok {
			code = strings.Trim(string(mustJSON(t, v)), `"`)
		}
		token, _ := answer[tc.tokenField].(string)
		if status != tc.status || code != tc.wantCode || (tc.tokenField != "") != strings.HasPrefix(token, simulator.PlatformTokenPrefix) {
			t.Errorf("%s %s %s: %d %v, want %d with code %q and a token in %q", tc.appType, tc.appID, tc.secret, status, answer, tc.status, tc.wantCode, tc.tokenField)
		}
		if tc.appType == platforms.Lark && logID == "" {
			t.Errorf("lark: no X-Tt-Logid")
		}
	}

	requests := sim.Requests()
	if len(requests) != len(cases) {
		t.Fatalf("%d requests logged, want %d", len(requests), len(cases))
	}
	for i, r := range requests {
		if r.IsWrite() || strings.Contains(r.Query, "secret") || (r.SecretFingerprint != "") != (cases[i].secret != "") ||
			cases[i].secret != "" && r.SecretFingerprint != simulator.Fingerprint(cases[i].secret) {
			t.Errorf("request %d logged as %+v", i, r)
		}
	}
	if requests[0].Query != "corpid=ww1" {
		t.Errorf("WeCom's query logged as %q, want the corpid alone", requests[0].Query)
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestAcceptAppCredentialsRefusesIncompleteApps(t *testing.T) {
	sim := simulator.New(nil)
	for _, c := range []simulator.AppCredentials{
		{AppType: "teams", AppID: "x", Secrets: []string{"s"}},
		{AppType: platforms.Lark, Secrets: []string{"s"}},
		{AppType: platforms.Lark, AppID: "cli_1"},
		{AppType: platforms.Lark, AppID: "cli_1", Secrets: []string{""}},
	} {
		if err := sim.AcceptAppCredentials(c); err == nil {
			t.Errorf("%+v was accepted", c)
		}
	}
}
