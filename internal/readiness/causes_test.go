package readiness_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/readiness"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
)

func intPtr(n int) *int { return &n }

// Each cause of a war room that would not open, played by the simulator's platforms: the
// verdict names the attribute, quotes the platform's code, and says what to change and where.
func TestEachNotReadyCauseIsFound(t *testing.T) {
	ready := readyBindings()
	manyTemplates := func(n int, extra ...string) []string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("tpl-other-%03d", i))
		}
		return append(out, extra...)
	}
	type cause struct {
		name    string
		appType platforms.AppType
		app     *simulator.AppCredentials
		changes map[string]string
		// want is the verdict that is not ready (or could not tell), rendered; calls the number
		// of calls the checks made.
		want  string
		calls int
	}
	cases := []cause{
		{"wecom enterprise key reset on WeCom", platforms.WeCom, nil, map[string]string{"enterprise_key": "reset-" + appSecret},
			"wecom.credentials not ready enterprise_key 40001", 3},
		{"wecom unknown enterprise", platforms.WeCom, nil, map[string]string{"enterprise_id": "ww1111111111111111"},
			"wecom.credentials not ready enterprise_id 40013", 2},
		{"wecom wrong address book key", platforms.WeCom, nil, map[string]string{"address_book_key": "wrong-" + contactsSecret},
			"wecom.address_book_credentials not ready address_book_key 40001", 3},
		{"wecom service_id of another app", platforms.WeCom, &simulator.AppCredentials{WeCom: &simulator.WeComApp{AgentID: "1000009"}}, nil,
			"wecom.agent not ready service_id 301002", 4},
		{"wecom app disabled", platforms.WeCom, &simulator.AppCredentials{WeCom: &simulator.WeComApp{Disabled: true}}, nil,
			"wecom.agent_enabled not ready service_id", 4},
		{"wecom app not visible to the whole organisation", platforms.WeCom, &simulator.AppCredentials{WeCom: &simulator.WeComApp{VisibleDepartments: []int{2, 3}}}, nil,
			"wecom.agent_visibility not ready service_id", 4},
		{"wecom address book API off", platforms.WeCom, &simulator.AppCredentials{WeCom: &simulator.WeComApp{AddressBookAPIOff: true}}, nil,
			"wecom.address_book not ready address_book_key 48002", 4},
		{"dingtalk secret reset on DingTalk", platforms.DingTalk, nil, map[string]string{"client_secret": strings.Repeat("r", 64)},
			"dingtalk.credentials not ready client_secret invalidClientIdOrSecret", 1},
		{"dingtalk template not the organisation's", platforms.DingTalk, nil, map[string]string{"group_template_id": "tpl-9999"},
			"dingtalk.group_template not ready group_template_id", 3},
		{"dingtalk template on the second page", platforms.DingTalk,
			&simulator.AppCredentials{DingTalk: &simulator.DingTalkApp{SceneGroupTemplates: manyTemplates(25, "tpl-0001")}}, nil,
			"dingtalk.group_template ready group_template_id", 4},
		{"dingtalk template after the last page read", platforms.DingTalk,
			&simulator.AppCredentials{DingTalk: &simulator.DingTalkApp{SceneGroupTemplates: manyTemplates(200, "tpl-0001")}}, nil,
			"dingtalk.group_template could not tell group_template_id", 12},
		{"dingtalk template absent from two pages", platforms.DingTalk,
			&simulator.AppCredentials{DingTalk: &simulator.DingTalkApp{SceneGroupTemplates: manyTemplates(20)}}, nil,
			"dingtalk.group_template not ready group_template_id", 4},
		{"dingtalk service_id not an app of the organisation", platforms.DingTalk, nil, map[string]string{"service_id": "2000009"},
			"dingtalk.service not ready service_id", 3},
		{"dingtalk app disabled", platforms.DingTalk, &simulator.AppCredentials{DingTalk: &simulator.DingTalkApp{Disabled: true}}, nil,
			"dingtalk.service not ready service_id", 3},
		{"lark secret reset on Lark", platforms.Lark, nil, map[string]string{"app_secret": "reset-" + larkSecret},
			"lark.credentials not ready app_secret 10014", 1},
		{"lark unknown app", platforms.Lark, nil, map[string]string{"app_id": "cli_0000000000000000", "service_id": "cli_0000000000000000"},
			"lark.credentials not ready app_id 10003", 1},
		{"lark bot off", platforms.Lark, &simulator.AppCredentials{Lark: &simulator.LarkApp{BotOff: true}}, nil,
			"lark.bot not ready app_id", 3},
		{"lark app not released", platforms.Lark, &simulator.AppCredentials{Lark: &simulator.LarkApp{BotActivateStatus: intPtr(3)}}, nil,
			"lark.bot not ready app_id", 3},
		{"lark IP allow-list", platforms.Lark, &simulator.AppCredentials{Lark: &simulator.LarkApp{IPAllowList: []string{"203.0.113.7"}}}, nil,
			"lark.ip_allow_list could not tell app_id", 3},
		{"lark chat scope not granted", platforms.Lark, &simulator.AppCredentials{Lark: &simulator.LarkApp{Scopes: map[string]int{"im:chat:create": 2}}}, nil,
			"lark.scopes not ready app_id", 3},
		{"lark chat scope not asked for", platforms.Lark, &simulator.AppCredentials{Lark: &simulator.LarkApp{Scopes: map[string]int{"im:message": 1}}}, nil,
			"lark.scopes not ready app_id", 3},
		{"lark service_id other than app_id", platforms.Lark, nil, map[string]string{"service_id": "svc-0001"},
			"lark.service_id not ready service_id", 3},
	}
	// A platform checked by its token call alone: a secret reset there, an app it does not know.
	for _, p := range platforms.All() {
		if _, ok := readPrefixes[p.AppType]; ok {
			continue
		}
		secret, id := p.SecretNames()[0], p.Identifier.Name
		cases = append(cases,
			cause{string(p.AppType) + " secret reset", p.AppType, nil, map[string]string{secret: "reset-" + genericSecret(p, secret)},
				fmt.Sprintf("%s.credentials not ready %s %s", p.AppType, secret, p.Token.WrongSecret.Code), len(p.SecretNames())},
			cause{string(p.AppType) + " unknown app", p.AppType, nil, map[string]string{id: p.Identifier.Examples[1]},
				fmt.Sprintf("%s.credentials not ready %s %s", p.AppType, id, p.Token.UnknownApp.Code), len(p.SecretNames())})
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var apps []simulator.AppCredentials
			if tc.app != nil {
				app := *tc.app
				app.AppType, app.AppID = tc.appType, ready[tc.appType][platforms.MustFor(tc.appType).Identifier.Name]
				app.Secrets = []string{map[platforms.AppType]string{platforms.WeCom: appSecret, platforms.DingTalk: dingSecret, platforms.Lark: larkSecret}[tc.appType]}
				apps = append(apps, app)
			}
			e := newEnv(t, apps...)
			verdicts := e.check(tc.appType, tc.changes)
			var found *readiness.Verdict
			for i, v := range verdicts {
				if v.Outcome != readiness.Ready || strings.Contains(tc.want, " ready ") && v.Check == strings.Fields(tc.want)[0] {
					if found != nil {
						t.Fatalf("more than one verdict of interest:\n%s", strings.Join(renderAll(verdicts), "\n"))
					}
					found = &verdicts[i]
				}
			}
			if found == nil || render(*found) != tc.want {
				t.Fatalf("verdicts\n%s\nwant one %q", strings.Join(renderAll(verdicts), "\n"), tc.want)
			}
			if found.Outcome != readiness.Ready && (found.Finding == "" || found.Fix == "" || found.Platform != platforms.MustFor(tc.appType).Name && found.Check != "lark.service_id") {
				t.Errorf("the verdict says not what was found, how to fix it or whose answer it is: %+v", *found)
			}
			if found.Code != "" && (found.Message == "" || !strings.Contains(found.Answer(), found.Code)) {
				t.Errorf("the verdict does not quote the platform: %+v", *found)
			}
			if calls := e.calls(); len(calls) != tc.calls {
				t.Errorf("%d calls, want %d: %v", len(calls), tc.calls, calls)
			}
			for _, v := range verdicts {
				expectClean(t, "a verdict", fmt.Sprintf("%+v", v))
			}
		})
	}
}

// What keeps a war room from opening is reported with the place to fix it: the platform's
// console page, or the attribute's own description.
func TestFixesNameTheConsolePage(t *testing.T) {
	cases := map[string]struct {
		appType platforms.AppType
		app     simulator.AppCredentials
		changes map[string]string
		fix     string
	}{
		"secret":     {platforms.Lark, simulator.AppCredentials{}, map[string]string{"app_secret": "other"}, "app_secret is the App Secret: Credentials & Basic Info. If it was reset on Lark, put the new one in the configuration"},
		"visibility": {platforms.WeCom, simulator.AppCredentials{WeCom: &simulator.WeComApp{VisibleDepartments: []int{4}}}, nil, "App Management > Apps, select the app, Visible To"},
		"template":   {platforms.DingTalk, simulator.AppCredentials{}, map[string]string{"group_template_id": "tpl-x"}, "group_template_id is the scenario group template ID: DingTalk open platform, Open Capabilities > Scenario Groups."},
	}
	for name, tc := range cases {
		app := tc.app
		app.AppType, app.AppID, app.Secrets = tc.appType, readyBindings()[tc.appType][platforms.MustFor(tc.appType).Identifier.Name], []string{appSecret}
		e := newEnv(t, app)
		verdicts := e.check(tc.appType, tc.changes)
		if !slices.ContainsFunc(verdicts, func(v readiness.Verdict) bool {
			return v.Outcome == readiness.NotReady && strings.Contains(v.Fix, tc.fix)
		}) {
			t.Errorf("%s: no fix says %q:\n%+v", name, tc.fix, verdicts)
		}
	}
}
