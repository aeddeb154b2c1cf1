package readiness_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
)

// reply is a scripted answer.
type reply struct {
	status int
	body   string
}

// readyReplies are the answers, by "METHOD path", with which each platform finds the ready
// binding of readyBindings ready: each as the platform's documentation shows it.
var readyReplies = map[platforms.AppType]map[string]reply{
	platforms.WeCom: {
		"GET /cgi-bin/gettoken":      {200, `{"errcode":0,"errmsg":"ok","access_token":"tok-wecom","expires_in":7200}`},
		"GET /cgi-bin/agent/get":     {200, `{"errcode":0,"errmsg":"ok","agentid":1000002,"name":"HR","close":0,"allow_partys":{"partyid":[1]},"allow_tags":{"tagid":[]}}`},
		"POST /cgi-bin/user/list_id": {200, `{"errcode":0,"errmsg":"ok","next_cursor":"","dept_user":[{"userid":"zhangsan","department":1}]}`},
	},
	platforms.DingTalk: {
		"POST /v1.0/oauth2/accessToken":                  {200, `{"accessToken":"tok-ding","expireIn":7200}`},
		"GET /v1.0/im/chats/sceneGroups/templates/lists": {200, `{"count":1,"sceneGroupDetailModels":[{"templateId":"tpl-0001","templateName":"war room"}],"success":true}`},
		"GET /v1.0/microApp/allInnerApps":                {200, `{"appList":[{"agentId":2000001,"name":"coc","appStatus":1}]}`},
	},
	platforms.Lark: {
		"POST /open-apis/auth/v3/tenant_access_token/internal": {200, `{"code":0,"msg":"ok","tenant_access_token":"tok-lark","expire":7200}`},
		"GET /open-apis/bot/v3/info":                           {200, `{"code":0,"msg":"ok","bot":{"activate_status":2,"app_name":"coc","ip_white_list":[],"open_id":"ou_1"}}`},
		"GET /open-apis/application/v6/scopes":                 {200, `{"code":0,"msg":"success","data":{"scopes":[{"scope_name":"im:chat","grant_status":1}]}}`},
	},
}

// scripted is a platform that answers readyReplies, but for the calls a case replaces.
func scripted(t *testing.T, appType platforms.AppType, replaced map[string]reply) (*readiness.Checker, func() map[string]int) {
	t.Helper()
	var mu sync.Mutex
	calls := map[string]int{}
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		call := r.Method + " " + r.URL.Path
		mu.Lock()
		calls[call]++
		mu.Unlock()
		answer, ok := replaced[call]
		if !ok {
			answer, ok = readyReplies[appType][call]
		}
		if !ok {
			t.Errorf("the checks called %s, which no check may", call)
			answer = reply{404, `{}`}
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(answer.status)
		_, _ = io.WriteString(w, answer.body)
	}))
	t.Cleanup(server.Close)
	apps, err := appcheck.New(appcheck.Config{Endpoints: map[platforms.AppType]string{appType: server.URL}, MaxRetries: 1, Backoff: fastBackoff})
	if err != nil {
		t.Fatal(err)
	}
	c, err := readiness.New(readiness.Config{Mode: readiness.Enforce, Apps: apps})
	if err != nil {
		t.Fatal(err)
	}
	return c, func() map[string]int {
		mu.Lock()
		defer mu.Unlock()
		return calls
	}
}

// verdictCase is a row of a verdict table: the answers a platform gives instead of the ready
// ones, and the verdict of one check, rendered.
type verdictCase struct {
	name     string
	replaced map[string]reply
	want     string
}

func runVerdictTable(t *testing.T, appType platforms.AppType, cases []verdictCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := scripted(t, appType, tc.replaced)
			verdicts := c.Check(context.Background(), readiness.Binding{AppType: appType, Values: readyBindings()[appType]})
			check := strings.Fields(tc.want)[0]
			var found []string
			for _, v := range verdicts {
				if v.Check == check {
					found = append(found, render(v))
					if v.Outcome != readiness.Ready && (v.Finding == "" || v.Fix == "") {
						t.Errorf("%s says not what it found or how to fix it: %+v", check, v)
					}
				}
			}
			if len(found) != 1 || found[0] != tc.want {
				t.Errorf("verdicts of %s: %v, want %q; all:\n%s", check, found, tc.want, strings.Join(renderAll(verdicts), "\n"))
			}
		})
	}
}

// WeCom's answers, code by code, and the verdict each gives.
func TestWeComVerdicts(t *testing.T) {
	const token, agent, users = "GET /cgi-bin/gettoken", "GET /cgi-bin/agent/get", "POST /cgi-bin/user/list_id"
	wecom := func(code, message string) string { return `{"errcode":` + code + `,"errmsg":"` + message + `"}` }
	runVerdictTable(t, platforms.WeCom, []verdictCase{
		{"ready", nil, "wecom.agent ready service_id"},
		{"unknown enterprise", map[string]reply{token: {200, wecom("40013", "invalid corpid")}}, "wecom.credentials not ready enterprise_id 40013"},
		{"wrong enterprise key", map[string]reply{token: {200, wecom("40001", "invalid credential")}}, "wecom.credentials not ready enterprise_key 40001"},
		{"wrong address book key", map[string]reply{token: {200, wecom("40001", "invalid credential")}}, "wecom.address_book_credentials not ready address_book_key 40001"},
		{"token call from an untrusted address", map[string]reply{token: {200, wecom("60020", "not allow to access from your ip")}}, "wecom.credentials could not tell enterprise_key 60020"},
		{"token call busy", map[string]reply{token: {200, wecom("-1", "system busy")}}, "wecom.credentials could not tell enterprise_key"},
		{"agent of another app", map[string]reply{agent: {200, wecom("301002", "no privilege")}}, "wecom.agent not ready service_id 301002"},
		{"agent unknown", map[string]reply{agent: {200, wecom("40056", "invalid agentid")}}, "wecom.agent not ready service_id 40056"},
		{"agent disabled by code", map[string]reply{agent: {200, wecom("50003", "application is disabled")}}, "wecom.agent_enabled not ready service_id 50003"},
		{"agent closed", map[string]reply{agent: {200, `{"errcode":0,"errmsg":"ok","agentid":1000002,"close":1,"allow_partys":{"partyid":[1]}}`}}, "wecom.agent_enabled not ready service_id"},
		{"agent enabled", nil, "wecom.agent_enabled ready service_id"},
		{"agent visible to a department", map[string]reply{agent: {200, `{"errcode":0,"errmsg":"ok","close":0,"allow_partys":{"partyid":[2,3]}}`}}, "wecom.agent_visibility not ready service_id"},
		{"agent visible to no department", map[string]reply{agent: {200, `{"errcode":0,"errmsg":"ok","close":0}`}}, "wecom.agent_visibility not ready service_id"},
		{"agent answer without close", map[string]reply{agent: {200, `{"errcode":0,"errmsg":"ok","allow_partys":{"partyid":[1]}}`}}, "wecom.agent_enabled could not tell service_id"},
		{"agent from an untrusted address", map[string]reply{agent: {200, wecom("60020", "not allow to access from your ip")}}, "wecom.agent could not tell service_id 60020"},
		{"agent throttled", map[string]reply{agent: {200, wecom("45009", "api freq out of limit")}}, "wecom.agent could not tell service_id 45009"},
		{"agent concurrency", map[string]reply{agent: {200, wecom("45033", "api concurrent out of limit")}}, "wecom.agent could not tell service_id 45033"},
		{"agent refused for another reason", map[string]reply{agent: {200, wecom("48002", "api forbidden")}}, "wecom.agent could not tell service_id 48002"},
		{"agent answer without errcode", map[string]reply{agent: {200, `{"agentid":1000002,"close":0}`}}, "wecom.agent could not tell service_id"},
		{"agent answer from a proxy", map[string]reply{agent: {200, `<html>sign in</html>`}}, "wecom.agent could not tell service_id"},
		{"agent gateway error", map[string]reply{agent: {502, `{"message":"bad gateway"}`}}, "wecom.agent could not tell service_id"},
		{"address book API off", map[string]reply{users: {200, wecom("48002", "api forbidden")}}, "wecom.address_book not ready address_book_key 48002"},
		{"address book from an untrusted address", map[string]reply{users: {200, wecom("60020", "not allow to access from your ip")}}, "wecom.address_book could not tell address_book_key 60020"},
		{"address book readable", nil, "wecom.address_book ready address_book_key"},
	})
}

// DingTalk's answers, code by code, and the verdict each gives.
func TestDingTalkVerdicts(t *testing.T) {
	const token, templates, apps = "POST /v1.0/oauth2/accessToken", "GET /v1.0/im/chats/sceneGroups/templates/lists", "GET /v1.0/microApp/allInnerApps"
	dingtalk := func(code string) string { return `{"code":"` + code + `","message":"refused","requestid":"r-1"}` }
	runVerdictTable(t, platforms.DingTalk, []verdictCase{
		{"wrong credentials", map[string]reply{token: {400, dingtalk("invalidClientIdOrSecret")}}, "dingtalk.credentials not ready client_secret invalidClientIdOrSecret"},
		{"token call throttled", map[string]reply{token: {403, dingtalk("Forbidden.AccessDenied.QpsLimitForApi")}}, "dingtalk.credentials could not tell client_secret Forbidden.AccessDenied.QpsLimitForApi"},
		{"template listed", nil, "dingtalk.group_template ready group_template_id"},
		{"template not listed", map[string]reply{templates: {200, `{"count":1,"sceneGroupDetailModels":[{"templateId":"tpl-other"}],"success":true}`}}, "dingtalk.group_template not ready group_template_id"},
		{"no templates at all", map[string]reply{templates: {200, `{"count":0,"success":true}`}}, "dingtalk.group_template not ready group_template_id"},
		{"templates answer of something else", map[string]reply{templates: {200, `{}`}}, "dingtalk.group_template could not tell group_template_id"},
		{"templates not readable", map[string]reply{templates: {403, dingtalk("Forbidden.AccessDenied.AccessTokenPermissionDenied")}}, "dingtalk.group_template could not tell group_template_id Forbidden.AccessDenied.AccessTokenPermissionDenied"},
		{"templates throttled", map[string]reply{templates: {403, dingtalk("Forbidden.AccessDenied.QpsLimitForAppkeyAndApi")}}, "dingtalk.group_template could not tell group_template_id Forbidden.AccessDenied.QpsLimitForAppkeyAndApi"},
		{"templates busy", map[string]reply{templates: {500, dingtalk("systemBusy")}}, "dingtalk.group_template could not tell group_template_id systemBusy"},
		{"service listed", nil, "dingtalk.service ready service_id"},
		{"service listed as a string", map[string]reply{apps: {200, `{"appList":[{"agentId":"2000001","appStatus":1}]}`}}, "dingtalk.service ready service_id"},
		{"service disabled", map[string]reply{apps: {200, `{"appList":[{"agentId":2000001,"appStatus":0}]}`}}, "dingtalk.service not ready service_id"},
		{"service not listed", map[string]reply{apps: {200, `{"appList":[{"agentId":2000009,"appStatus":1}]}`}}, "dingtalk.service not ready service_id"},
		{"apps answer of something else", map[string]reply{apps: {200, `{"result":[]}`}}, "dingtalk.service could not tell service_id"},
		{"apps not readable", map[string]reply{apps: {403, dingtalk("Forbidden.AccessDenied.AccessTokenPermissionDenied")}}, "dingtalk.service could not tell service_id Forbidden.AccessDenied.AccessTokenPermissionDenied"},
		{"apps refused for another reason", map[string]reply{apps: {400, dingtalk("InvalidParameter")}}, "dingtalk.service could not tell service_id InvalidParameter"},
	})
}

// Lark's answers, code by code, and the verdict each gives.
func TestLarkVerdicts(t *testing.T) {
	const token, bot, scopes = "POST /open-apis/auth/v3/tenant_access_token/internal", "GET /open-apis/bot/v3/info", "GET /open-apis/application/v6/scopes"
	lark := func(code, message string) string { return `{"code":` + code + `,"msg":"` + message + `"}` }
	botWith := func(members string) string { return `{"code":0,"msg":"ok","bot":{` + members + `}}` }
	runVerdictTable(t, platforms.Lark, []verdictCase{
		{"unknown app", map[string]reply{token: {200, lark("10003", "invalid param")}}, "lark.credentials not ready app_id 10003"},
		{"wrong secret", map[string]reply{token: {400, lark("10014", "app secret invalid")}}, "lark.credentials not ready app_secret 10014"},
		{"token call throttled", map[string]reply{token: {400, lark("99991400", "request trigger frequency limit")}}, "lark.credentials could not tell app_secret"},
		{"bot enabled", nil, "lark.bot ready app_id"},
		{"bot off", map[string]reply{bot: {200, botWith("")}}, "lark.bot not ready app_id"},
		{"bot absent", map[string]reply{bot: {200, `{"code":0,"msg":"ok"}`}}, "lark.bot not ready app_id"},
		{"bot disabled by the tenant", map[string]reply{bot: {200, botWith(`"activate_status":1`)}}, "lark.bot not ready app_id"},
		{"bot waiting to be installed", map[string]reply{bot: {200, botWith(`"activate_status":0`)}}, "lark.bot not ready app_id"},
		{"bot without a status", map[string]reply{bot: {200, botWith(`"app_name":"coc"`)}}, "lark.bot could not tell app_id"},
		{"bot with an IP allow-list", map[string]reply{bot: {200, botWith(`"activate_status":2,"ip_white_list":["203.0.113.7"]`)}}, "lark.ip_allow_list could not tell app_id"},
		{"bot without an IP allow-list", nil, "lark.ip_allow_list ready app_id"},
		{"bot token refused", map[string]reply{bot: {400, lark("99991663", "Invalid access token for authorization")}}, "lark.bot could not tell app_id 99991663"},
		{"bot answer without code", map[string]reply{bot: {200, `{"bot":{"activate_status":2}}`}}, "lark.bot could not tell app_id"},
		{"chat scope granted", nil, "lark.scopes ready app_id"},
		{"chat:create granted", map[string]reply{scopes: {200, `{"code":0,"data":{"scopes":[{"scope_name":"im:chat:create","grant_status":1}]}}`}}, "lark.scopes ready app_id"},
		{"chat scope not granted", map[string]reply{scopes: {200, `{"code":0,"data":{"scopes":[{"scope_name":"im:chat","grant_status":2}]}}`}}, "lark.scopes not ready app_id"},
		{"chat scope not asked for", map[string]reply{scopes: {200, `{"code":0,"data":{"scopes":[{"scope_name":"im:message","grant_status":1}]}}`}}, "lark.scopes not ready app_id"},
		{"app not installed", map[string]reply{scopes: {400, lark("212100", "app not install")}}, "lark.scopes not ready app_id 212100"},
		{"scopes throttled", map[string]reply{scopes: {429, lark("99991400", "request trigger frequency limit")}}, "lark.scopes could not tell app_id 99991400"},
		{"scopes answer without data", map[string]reply{scopes: {200, `{"code":0,"msg":"ok"}`}}, "lark.scopes could not tell app_id"},
	})
}

// The reads a check makes, and no more: DingTalk reads pages of 20 templates until one lists
// fewer, or at most 10.
func TestDingTalkReadsTemplatePagesUntilAShortOne(t *testing.T) {
	full := `{"count":20,"sceneGroupDetailModels":[` + strings.TrimSuffix(strings.Repeat(`{"templateId":"tpl-x"},`, 20), ",") + `],"success":true}`
	c, calls := scripted(t, platforms.DingTalk, map[string]reply{"GET /v1.0/im/chats/sceneGroups/templates/lists": {200, full}})
	verdicts := c.Check(context.Background(), readiness.Binding{AppType: platforms.DingTalk, Values: readyBindings()[platforms.DingTalk]})
	if got := calls()["GET /v1.0/im/chats/sceneGroups/templates/lists"]; got != 10 {
		t.Errorf("%d pages read, want 10", got)
	}
	if got := renderAll(verdicts); got[1] != "dingtalk.group_template could not tell group_template_id" {
		t.Errorf("verdicts %v", got)
	}
}
