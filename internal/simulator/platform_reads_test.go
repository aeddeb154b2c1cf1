package simulator_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

// readsWorld registers, through the admin API, a ready app of each platform ("ready") and one
// that is not ready in every way its platform's reads can tell ("other"), and returns the
// simulator's URL and an access token for each.
func readsWorld(t *testing.T) (*simulator.Simulator, string, map[string]string) {
	t.Helper()
	sim := simulator.New(nil, simulator.WithSeed(3))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	apps := `[{"app_type": "wecom", "app_id": "wwready", "secrets": ["s-wecom"]},
		{"app_type": "wecom", "app_id": "wwother", "secrets": ["s-wecom"], "wecom": {"agent_id": "1000009", "disabled": true, "visible_departments": [2, 3], "address_book_api_off": true}},
		{"app_type": "dingtalk", "app_id": "dingready", "secrets": ["s-ding"]},
		{"app_type": "dingtalk", "app_id": "dingother", "secrets": ["s-ding"], "dingtalk": {"agent_id": "2000009", "disabled": true,
			"scene_group_templates": ["t01", "t02", "t03", "t04", "t05", "t06", "t07", "t08", "t09", "t10", "t11", "t12", "t13", "t14", "t15", "t16", "t17", "t18", "t19", "t20", "t21", "t22"]}},
		{"app_type": "lark", "app_id": "cli_ready", "secrets": ["s-lark"]},
		{"app_type": "lark", "app_id": "cli_other", "secrets": ["s-lark"], "lark": {"bot_activate_status": 1, "ip_allow_list": ["203.0.113.7"], "scopes": {"im:message": 1, "im:chat": 2}}},
		{"app_type": "lark", "app_id": "cli_nobot", "secrets": ["s-lark"], "lark": {"bot_off": true}}]`
	resp, err := http.Post(server.URL+simulator.AdminPrefix+"platform-apps", "application/json", strings.NewReader(apps))
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		t.Fatalf("registering apps: %s", resp.Status)
	}
	tokens := map[string]string{}
	for _, app := range []struct {
		appType       platforms.AppType
		appID, secret string
	}{{platforms.WeCom, "wwready", "s-wecom"}, {platforms.WeCom, "wwother", "s-wecom"}, {platforms.DingTalk, "dingready", "s-ding"},
		{platforms.DingTalk, "dingother", "s-ding"}, {platforms.Lark, "cli_ready", "s-lark"}, {platforms.Lark, "cli_other", "s-lark"}, {platforms.Lark, "cli_nobot", "s-lark"}} {
		_, _, answer := tokenCall(t, server.URL, app.appType, app.appID, app.secret)
		token, _ := answer[platforms.MustFor(app.appType).Token.Token].(string)
		if token == "" {
			t.Fatalf("%s: no token: %v", app.appID, answer)
		}
		tokens[app.appID] = token
	}
	sim.ClearRequests()
	return sim, server.URL, tokens
}

// platformRead sends a read with the token as its platform takes it, and returns the status, the
// header and the answer.
func platformRead(t *testing.T, base string, appType platforms.AppType, method, pathAndQuery, token string, body string) (int, http.Header, []byte) {
	t.Helper()
	target := base + simulator.PlatformPrefix + string(appType) + pathAndQuery
	if appType == platforms.WeCom && token != "" {
		target += map[bool]string{true: "&", false: "?"}[strings.Contains(target, "?")] + "access_token=" + token
	}
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case token == "":
	case appType == platforms.DingTalk:
		req.Header.Set("x-acs-dingtalk-access-token", token)
	case appType == platforms.Lark:
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, answer
}

// equalJSON reports whether two JSON texts hold the same value; requestid is compared as
// present, since it counts the simulator's calls.
func equalJSON(t *testing.T, got []byte, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("the answer is not JSON: %s", got)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("the expected answer is not JSON: %s", want)
	}
	if m, ok := g.(map[string]any); ok {
		if id, ok := m["requestid"].(string); ok && strings.HasPrefix(id, "sim-") {
			m["requestid"] = "sim-N"
		}
	}
	return reflect.DeepEqual(g, w)
}

// Each read answers in its platform's words (members, codes, statuses), for a ready app by
// default and for one registered as not ready; without a token or with another's, as the
// platform refuses.
func TestPlatformReadsAnswerInThePlatformsWords(t *testing.T) {
	_, base, tokens := readsWorld(t)
	const agent, users = "/cgi-bin/agent/get?agentid=", "/cgi-bin/user/list_id"
	const templates, innerApps = "/v1.0/im/chats/sceneGroups/templates/lists?pageSize=20&pageNumber=", "/v1.0/microApp/allInnerApps"
	const bot, scopes = "/open-apis/bot/v3/info", "/open-apis/application/v6/scopes"
	cases := []struct {
		appType                 platforms.AppType
		method, path, app, body string
		status                  int
		want                    string
	}{
		{platforms.WeCom, "GET", agent + "1000002", "wwready", "", 200, `{"errcode":0,"errmsg":"ok","agentid":1000002,"name":"COC war rooms","square_logo_url":"","description":"",
			"allow_userinfos":{"user":[]},"allow_partys":{"partyid":[1]},"allow_tags":{"tagid":[]},"close":0,"redirect_domain":"","report_location_flag":0,"isreportenter":0,"home_url":""}`},
		{platforms.WeCom, "GET", agent + "1000002", "wwother", "", 200, `{"errcode":301002,"errmsg":"no privilege to access this agent"}`},
		{platforms.WeCom, "GET", agent + "abc", "wwready", "", 200, `{"errcode":40056,"errmsg":"invalid agentid"}`},
		{platforms.WeCom, "GET", agent + "1000009", "wwother", "", 200, `{"errcode":0,"errmsg":"ok","agentid":1000009,"name":"COC war rooms","square_logo_url":"","description":"",
			"allow_userinfos":{"user":[]},"allow_partys":{"partyid":[2,3]},"allow_tags":{"tagid":[]},"close":1,"redirect_domain":"","report_location_flag":0,"isreportenter":0,"home_url":""}`},
		{platforms.WeCom, "GET", agent + "1000002", "", "", 200, `{"errcode":41001,"errmsg":"access_token missing"}`},
		{platforms.WeCom, "GET", agent + "1000002", "cli_ready", "", 200, `{"errcode":40014,"errmsg":"invalid access_token"}`},
		{platforms.WeCom, "POST", users, "wwready", `{"limit":1}`, 200, `{"errcode":0,"errmsg":"ok","next_cursor":"","dept_user":[{"userid":"zhangsan","department":1}]}`},
		{platforms.WeCom, "POST", users, "wwother", `{"limit":1}`, 200, `{"errcode":48002,"errmsg":"api forbidden"}`},
		{platforms.WeCom, "POST", users, "wwready", `{"limit":0}`, 200, `{"errcode":40058,"errmsg":"invalid limit: must be from 1 to 10000"}`},
		{platforms.DingTalk, "GET", templates + "1", "dingready", "", 200, `{"count":1,"success":true,"sceneGroupDetailModels":[
			{"templateId":"tpl-0001","templateName":"Template tpl-0001","description":"","icon":"","gmtCreate":"2026-01-02 03:04:05","msgOpen":true}]}`},
		{platforms.DingTalk, "GET", templates + "2", "dingother", "", 200, `{"count":22,"success":true,"sceneGroupDetailModels":[
			{"templateId":"t21","templateName":"Template t21","description":"","icon":"","gmtCreate":"2026-01-02 03:04:05","msgOpen":true},
			{"templateId":"t22","templateName":"Template t22","description":"","icon":"","gmtCreate":"2026-01-02 03:04:05","msgOpen":true}]}`},
		{platforms.DingTalk, "GET", templates + "3", "dingother", "", 200, `{"count":22,"success":true,"sceneGroupDetailModels":[]}`},
		{platforms.DingTalk, "GET", templates + "0", "dingready", "", 400, `{"code":"InvalidParameter","message":"pageNumber is mandatory and must be 1 or more","requestid":"sim-N"}`},
		{platforms.DingTalk, "GET", templates + "1", "", "", 400, `{"code":"MissingxAcsDingtalkAccessToken","message":"x-acs-dingtalk-access-token is mandatory for this action.","requestid":"sim-N"}`},
		{platforms.DingTalk, "GET", templates + "1", "wwready", "", 401, `{"code":"InvalidAuthentication","message":"不合法的access_token","requestid":"sim-N"}`},
		{platforms.DingTalk, "GET", innerApps, "dingready", "", 200, `{"appList":[{"agentId":2000001,"name":"COC war rooms","desc":"","icon":"","homepageLink":"","pcHomepageLink":"",
			"ompLink":"","appId":0,"appStatus":1,"developType":0,"robotInfo":{"name":"COC war rooms","robotCode":"dingready"},"unifiedAppId":""}]}`},
		{platforms.DingTalk, "GET", innerApps, "dingother", "", 200, `{"appList":[{"agentId":2000009,"name":"COC war rooms","desc":"","icon":"","homepageLink":"","pcHomepageLink":"",
			"ompLink":"","appId":0,"appStatus":0,"developType":0,"robotInfo":{"name":"COC war rooms","robotCode":"dingother"},"unifiedAppId":""}]}`},
		{platforms.Lark, "GET", bot, "cli_ready", "", 200, `{"code":0,"msg":"ok","bot":{"activate_status":2,"app_name":"COC war rooms","avatar_url":"",
			"ip_white_list":[],"open_id":"ou_OPEN_ID"}}`},
		{platforms.Lark, "GET", bot, "cli_other", "", 200, `{"code":0,"msg":"ok","bot":{"activate_status":1,"app_name":"COC war rooms","avatar_url":"",
			"ip_white_list":["203.0.113.7"],"open_id":"ou_OPEN_ID"}}`},
		{platforms.Lark, "GET", bot, "cli_nobot", "", 200, `{"code":0,"msg":"ok","bot":{}}`},
		{platforms.Lark, "GET", bot, "", "", 400, `{"code":99991661,"msg":"Missing access token for authorization. Please make a request with token attached."}`},
		{platforms.Lark, "GET", scopes, "cli_ready", "", 200, `{"code":0,"msg":"success","data":{"scopes":[{"scope_name":"im:chat:create","grant_status":1}]}}`},
		{platforms.Lark, "GET", scopes, "cli_other", "", 200, `{"code":0,"msg":"success","data":{"scopes":[{"scope_name":"im:chat","grant_status":2},{"scope_name":"im:message","grant_status":1}]}}`},
		{platforms.Lark, "GET", scopes, "dingready", "", 400, `{"code":99991663,"msg":"Invalid access token for authorization. Please make a request with token attached."}`},
	}
	for _, tc := range cases {
		status, header, answer := platformRead(t, base, tc.appType, tc.method, tc.path, tokens[tc.app], tc.body)
		if tc.appType == platforms.Lark {
			// The bot's open_id is made from the app ID.
			answer = bytes.ReplaceAll(answer, []byte(`"ou_`+simulator.Fingerprint(tc.app)[:32]+`"`), []byte(`"ou_OPEN_ID"`))
			if header.Get("X-Tt-Logid") == "" {
				t.Errorf("%s %s: no X-Tt-Logid", tc.method, tc.path)
			}
		}
		if status != tc.status || !equalJSON(t, answer, tc.want) {
			t.Errorf("%s %s %s (%s): %d %s\nwant %d %s", tc.appType, tc.method, tc.path, tc.app, status, answer, tc.status, tc.want)
		}
	}
}

// Fault rules apply to the reads as to every call, in the platform's words: WeCom's 60020, a
// proxy's page, throttling. The request log keeps the reads, without the access token.
func TestFaultsAndTheRequestLogCoverTheReads(t *testing.T) {
	sim, base, tokens := readsWorld(t)
	for _, f := range []simulator.Fault{
		{PathPrefix: simulator.PlatformPrefix + "wecom/cgi-bin/agent/", Status: 200, Code: "60020", Message: "not allow to access from your ip", Times: 1},
		{PathPrefix: simulator.PlatformPrefix + "lark/open-apis/bot/", Status: 200, Body: "<html>proxy</html>", ContentType: "text/html", Times: 1},
		{PathPrefix: simulator.PlatformPrefix + "dingtalk/v1.0/microApp/", Status: 429, RetryAfter: 2, Times: 1},
	} {
		if err := sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	if status, _, answer := platformRead(t, base, platforms.WeCom, "GET", "/cgi-bin/agent/get?agentid=1000002", tokens["wwready"], ""); status != 200 || !equalJSON(t, answer, `{"errcode":60020,"errmsg":"not allow to access from your ip"}`) {
		t.Errorf("60020: %d %s", status, answer)
	}
	if status, _, answer := platformRead(t, base, platforms.Lark, "GET", "/open-apis/bot/v3/info", tokens["cli_ready"], ""); status != 200 || string(answer) != "<html>proxy</html>" {
		t.Errorf("a proxy's page: %d %s", status, answer)
	}
	if status, header, answer := platformRead(t, base, platforms.DingTalk, "GET", "/v1.0/microApp/allInnerApps", tokens["dingready"], ""); status != 429 || header.Get("Retry-After") != "2" ||
		!equalJSON(t, answer, `{"code":"Throttling","message":"injected fault: Too Many Requests","requestid":"sim-N"}`) {
		t.Errorf("throttling: %d %s", status, answer)
	}
	requests := sim.Requests()
	if len(requests) != 3 || requests[0].Fault == "" || requests[0].Query != "agentid=1000002" || requests[0].SecretFingerprint != "" {
		t.Errorf("the request log: %+v", requests)
	}
	for _, r := range requests {
		if r.IsWrite() || strings.Contains(r.Query, "access_token") {
			t.Errorf("logged as %+v", r)
		}
	}
	// Reset forgets the access tokens the platforms issued, not the apps.
	sim.Reset()
	if _, _, answer := platformRead(t, base, platforms.WeCom, "GET", "/cgi-bin/agent/get?agentid=1000002", tokens["wwready"], ""); !equalJSON(t, answer, `{"errcode":40014,"errmsg":"invalid access_token"}`) {
		t.Errorf("a token issued before Reset: %s", answer)
	}
}

// What an app says about its platform's reads is checked when it is registered, and says what
// is wrong.
func TestPlatformAppStatesAreValidated(t *testing.T) {
	sim := simulator.New(nil)
	status := 7
	for _, tc := range []struct {
		app  simulator.AppCredentials
		want string
	}{
		{simulator.AppCredentials{AppType: platforms.Lark, AppID: "cli_1", Secrets: []string{"s"}, WeCom: &simulator.WeComApp{}}, `"wecom" describes a wecom app; this app is a lark one`},
		{simulator.AppCredentials{AppType: platforms.WeCom, AppID: "ww1", Secrets: []string{"s"}, WeCom: &simulator.WeComApp{AgentID: "x1"}}, "wecom.agent_id must be digits"},
		{simulator.AppCredentials{AppType: platforms.WeCom, AppID: "ww1", Secrets: []string{"s"}, WeCom: &simulator.WeComApp{VisibleDepartments: []int{0}}}, "wecom.visible_departments"},
		{simulator.AppCredentials{AppType: platforms.DingTalk, AppID: "d1", Secrets: []string{"s"}, DingTalk: &simulator.DingTalkApp{AgentID: "a"}}, "dingtalk.agent_id must be digits"},
		{simulator.AppCredentials{AppType: platforms.Lark, AppID: "cli_1", Secrets: []string{"s"}, Lark: &simulator.LarkApp{BotActivateStatus: &status}}, "from 0 to 6"},
		{simulator.AppCredentials{AppType: platforms.Lark, AppID: "cli_1", Secrets: []string{"s"}, Lark: &simulator.LarkApp{Scopes: map[string]int{"im:chat": 3}}}, `lark.scopes["im:chat"] must be 1 (granted) or 2 (not granted)`},
	} {
		if err := sim.AcceptAppCredentials(tc.app); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: %v, want %q", tc.app, err, tc.want)
		}
	}
}

// An app registered again gains the secrets sent; with reset they replace its secrets, as
// resetting them on the platform does, and the old ones are refused from then on.
func TestResetReplacesAnAppsSecrets(t *testing.T) {
	sim := simulator.New(nil, simulator.WithSeed(3))
	server := httptest.NewServer(sim)
	t.Cleanup(server.Close)
	lark := platforms.MustFor(platforms.Lark)
	accepted := func(secret string) bool {
		_, _, answer := tokenCall(t, server.URL, platforms.Lark, "cli_reset", secret)
		token, _ := answer[lark.Token.Token].(string)
		return token != ""
	}
	register := func(reset bool, secrets ...string) {
		t.Helper()
		if err := sim.AcceptAppCredentials(simulator.AppCredentials{AppType: platforms.Lark, AppID: "cli_reset", Secrets: secrets, Reset: reset}); err != nil {
			t.Fatal(err)
		}
	}
	register(false, "s-old")
	register(false, "s-more")
	if !accepted("s-old") || !accepted("s-more") {
		t.Fatal("registering again dropped a secret")
	}
	register(true, "s-new")
	if accepted("s-old") || accepted("s-more") || !accepted("s-new") {
		t.Error("after a reset, want only the new secret accepted")
	}
}
