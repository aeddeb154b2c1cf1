package provider

import (
	"errors"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cocops/terraform-provider-coc/internal/platforms"
	"github.com/cocops/terraform-provider-coc/internal/simulator"
	"github.com/cocops/terraform-provider-coc/internal/testkit"
)

// With war_room_readiness, every plan asks each binding's platform, with read-only calls,
// whether the binding can open a war room; the simulator plays the platforms.

// platformEndpointsLine points the provider at e's platforms.
func (e *simEnv) platformEndpointsLine() string {
	var endpoints []string
	for _, pc := range platformCases {
		endpoints = append(endpoints, fmt.Sprintf("%s = %q", pc.appType, e.url+simulator.PlatformPrefix+string(pc.appType)))
	}
	return "platform_endpoints = { " + strings.Join(endpoints, ", ") + " }"
}

// readinessLines are the provider arguments that check readiness in mode at e's platforms.
func (e *simEnv) readinessLines(mode string) []string {
	return []string{fmt.Sprintf("war_room_readiness = %q", mode), e.platformEndpointsLine()}
}

// readinessRun runs terraform with -json, and returns the readiness diagnostics it printed and
// whether it succeeded (exit codes 0 and 2 of -detailed-exitcode). An apply plans each change
// twice, before and while applying it, and prints the diagnostics of both: each is counted once.
func readinessRun(t *testing.T, w *cliWorkspace, args ...string) ([]terraformMessage, bool, string) {
	t.Helper()
	out, err := w.Run(append(args, "-json", "-input=false")...)
	var exit *exec.ExitError
	ok := err == nil || errors.As(err, &exit) && exit.ExitCode() == 2 && slices.Contains(args, "-detailed-exitcode")
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("terraform %v: %v\n%s", args, err, out)
	}
	var diags []terraformMessage
	for _, d := range terraformMessages(out) {
		if d.Type != "diagnostic" || !strings.HasPrefix(d.Diagnostic.Summary, "War Room") {
			continue
		}
		if args[0] == "apply" && slices.ContainsFunc(diags, func(e terraformMessage) bool {
			return e.Diagnostic.Summary == d.Diagnostic.Summary && e.Diagnostic.Snippet == d.Diagnostic.Snippet
		}) {
			continue // the same finding, quoting another request ID
		}
		diags = append(diags, d)
	}
	return diags, ok, out
}

// readinessSummaries renders diagnostics as "severity: summary".
func readinessSummaries(diags []terraformMessage) []string {
	var out []string
	for _, d := range diags {
		out = append(out, d.Diagnostic.Severity+": "+d.Diagnostic.Summary)
	}
	return out
}

// platformCalls lists the platform calls of the request log as "METHOD path", by app type.
func (e *simEnv) platformCalls() map[platforms.AppType][]string {
	out := map[platforms.AppType][]string{}
	for _, r := range e.sim.Requests() {
		rest, ok := strings.CutPrefix(r.Path, simulator.PlatformPrefix)
		if !ok {
			continue
		}
		appType, path, _ := strings.Cut(rest, "/")
		out[platforms.AppType(appType)] = append(out[platforms.AppType(appType)], r.Method+" /"+path)
	}
	return out
}

// readinessCalls are the only calls the checks may make of each platform, and how many a ready
// binding costs a plan: WeCom at most 4, DingTalk 3 with one page of templates, Lark 3.
var readinessCalls = map[platforms.AppType]struct {
	allowed []string
	max     int
}{
	platforms.WeCom: {[]string{"GET /cgi-bin/gettoken", "GET /cgi-bin/agent/get", "POST /cgi-bin/user/list_id"}, 4},
	platforms.DingTalk: {[]string{"POST /v1.0/oauth2/accessToken", "GET /v1.0/im/chats/sceneGroups/templates/lists",
		"GET /v1.0/microApp/allInnerApps"}, 3},
	platforms.Lark: {[]string{"POST /open-apis/auth/v3/tenant_access_token/internal", "GET /open-apis/bot/v3/info",
		"GET /open-apis/application/v6/scopes"}, 3},
}

// readinessConfig is every platform's binding, Lark's without service_id, with the provider lines.
func readinessConfig(env *simEnv, lines []string, attrs map[platforms.AppType]map[string]string) string {
	config := requiredProviders + env.providerBlock(0, "", lines...)
	for _, pc := range platformCases {
		a := map[string]string{}
		if f := sameAsFields(pc.platform); len(f) > 0 {
			for _, name := range f {
				a[name] = "" // left out: it defaults to the identifier
			}
		}
		for k, v := range attrs[pc.appType] {
			a[k] = v
		}
		config += pc.resourceBlock("this", a)
	}
	return config
}

// sameAsFields are the fields of p that default to another.
func sameAsFields(p platforms.Platform) []string {
	var out []string
	for _, f := range p.Fields {
		if f.SameAs != "" {
			out = append(out, f.Name)
		}
	}
	return out
}

// acceptAll registers every platform's app with its secrets tagged "1".
func (e *simEnv) acceptAll(t *testing.T) {
	t.Helper()
	for _, pc := range platformCases {
		e.acceptApp(t, pc, "1")
	}
}

// Bindings their platforms find ready: under enforce, the apply and every later plan add no
// diagnostic; each plan asks each platform within its budget of calls, and only the token calls
// and the reads. Lark's service_id, left out, is bound as app_id; every binding exports its war
// rooms' notification type.
func TestCLI_Readiness_ReadyBindingsAddNothing(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	env.acceptAll(t)
	w := newCLIWorkspace(t)
	w.WriteConfig(t, readinessConfig(env, env.readinessLines("enforce"), nil))
	if diags, ok, out := readinessRun(t, w, "apply", "-auto-approve"); !ok || len(diags) > 0 {
		t.Fatalf("the apply failed or reported %v:\n%s", readinessSummaries(diags), out)
	}
	for _, pc := range platformCases {
		held := env.bindings(t, 0)[pc.appType]
		for _, f := range sameAsFields(pc.platform) {
			if got := held.Fields[f]; got != pc.ids[0] {
				t.Errorf("%s: COC holds %s = %q, want the %s %q", pc.typeName, f, got, pc.platform.Identifier.Name, pc.ids[0])
			}
		}
	}
	state := readRawState(t, w)
	for _, r := range state.Resources {
		pc := platformCases[slices.IndexFunc(platformCases, func(pc platformCase) bool { return pc.typeName == r.Type })]
		if got := r.Instances[0].Attributes[attrNotificationType]; got != pc.platform.NotificationType {
			t.Errorf("%s: %s = %v, want %q", r.Type, attrNotificationType, got, pc.platform.NotificationType)
		}
	}

	env.sim.ClearRequests()
	diags, ok, out := readinessRun(t, w, "plan", "-detailed-exitcode")
	if !ok || len(diags) > 0 || !strings.Contains(out, `"changes":{"add":0,"change":0,"import":0,"remove":0`) {
		t.Fatalf("want an empty plan without readiness diagnostics, got %v:\n%s", readinessSummaries(diags), out)
	}
	calls := env.platformCalls()
	for _, pc := range platformCases {
		budget, ok := readinessCalls[pc.appType]
		if !ok {
			continue // a platform checked by its token call alone: internal/readiness tests it
		}
		got := calls[pc.appType]
		if len(got) == 0 || len(got) > budget.max {
			t.Errorf("%s: the plan made %d calls, want 1 to %d: %v", pc.appType, len(got), budget.max, got)
		}
		for _, c := range got {
			if !slices.Contains(budget.allowed, c) {
				t.Errorf("%s: the plan called %s, which no check may", pc.appType, c)
			}
		}
	}
	if writes := env.writes(); len(writes) > 0 {
		t.Errorf("the plan wrote %v", writes)
	}
}

// notReadyCause is one thing that keeps a war room from opening, played by the simulator.
type notReadyCause struct {
	name    string
	check   string
	appType platforms.AppType
	// app is what the platform reports of the app; attrs change the configuration.
	app   func(*simulator.AppCredentials)
	attrs func(pc platformCase) map[string]string
	// attr is the attribute the diagnostic points at.
	attr string
}

// notReadyCauses are, for every platform, its first secret reset on the platform, then each
// platform's own causes.
func notReadyCauses() []notReadyCause {
	var out []notReadyCause
	for _, pc := range platformCases {
		secret := pc.platform.SecretNames()[0]
		out = append(out, notReadyCause{name: string(pc.appType) + " " + secret + " reset", check: string(pc.appType) + ".credentials",
			appType: pc.appType, attr: secret,
			attrs: func(pc platformCase) map[string]string {
				return map[string]string{secret: strconv.Quote(pc.secret(secret, "reset"))}
			}})
	}
	return append(out, platformCauses...)
}

var platformCauses = []notReadyCause{
	{name: "wecom unknown enterprise", check: "wecom.credentials", appType: platforms.WeCom, attr: "enterprise_id",
		attrs: func(pc platformCase) map[string]string {
			return map[string]string{"enterprise_id": strconv.Quote(pc.ids[1])}
		}},
	{check: "wecom.agent", appType: platforms.WeCom, attr: "service_id",
		app: func(a *simulator.AppCredentials) { a.WeCom = &simulator.WeComApp{AgentID: "1000009"} }},
	{check: "wecom.agent_enabled", appType: platforms.WeCom, attr: "service_id",
		app: func(a *simulator.AppCredentials) { a.WeCom = &simulator.WeComApp{Disabled: true} }},
	{check: "wecom.agent_visibility", appType: platforms.WeCom, attr: "service_id",
		app: func(a *simulator.AppCredentials) { a.WeCom = &simulator.WeComApp{VisibleDepartments: []int{2, 3}} }},
	{check: "wecom.address_book_credentials", appType: platforms.WeCom, attr: "address_book_key",
		attrs: func(pc platformCase) map[string]string {
			return map[string]string{"address_book_key": strconv.Quote(pc.secret("address_book_key", "wrong"))}
		}},
	{check: "wecom.address_book", appType: platforms.WeCom, attr: "address_book_key",
		app: func(a *simulator.AppCredentials) { a.WeCom = &simulator.WeComApp{AddressBookAPIOff: true} }},
	{check: "dingtalk.group_template", appType: platforms.DingTalk, attr: "group_template_id",
		app: func(a *simulator.AppCredentials) {
			a.DingTalk = &simulator.DingTalkApp{SceneGroupTemplates: []string{"tpl-other-1", "tpl-other-2"}}
		}},
	{check: "dingtalk.service", appType: platforms.DingTalk, attr: "service_id",
		app: func(a *simulator.AppCredentials) { a.DingTalk = &simulator.DingTalkApp{AgentID: "2000009"} }},
	{check: "lark.bot", appType: platforms.Lark, attr: "app_id",
		app: func(a *simulator.AppCredentials) { a.Lark = &simulator.LarkApp{BotOff: true} }},
	{check: "lark.scopes", appType: platforms.Lark, attr: "app_id",
		app: func(a *simulator.AppCredentials) {
			a.Lark = &simulator.LarkApp{Scopes: map[string]int{"im:chat:create": 2}}
		}},
	{check: "lark.service_id", appType: platforms.Lark, attr: "service_id",
		attrs: func(pc platformCase) map[string]string {
			return map[string]string{"service_id": strconv.Quote(pc.ids[1])}
		}},
}

// Each cause of a war room that would not open: under warn, the plan warns once, on the
// attribute, and the apply binds; under enforce, the apply fails at its plan with the same
// finding as an error, and COC gets nothing.
func TestCLI_Readiness_EachNotReadyCause(t *testing.T) {
	t.Parallel()
	for _, c := range notReadyCauses() {
		name := c.name
		if name == "" {
			name = c.check
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			pc := platformCaseFor(c.appType)
			env := newSimEnv(t, 1)
			app := simulator.AppCredentials{AppType: pc.appType, AppID: pc.ids[0], Secrets: pc.taggedSecrets("1")}
			if c.app != nil {
				c.app(&app)
			}
			if err := env.sim.AcceptAppCredentials(app); err != nil {
				t.Fatal(err)
			}
			attrs := map[string]string{}
			if c.attrs != nil {
				attrs = c.attrs(pc)
			}
			w := newCLIWorkspace(t)
			for _, mode := range []string{"enforce", "warn"} {
				config := requiredProviders + env.providerBlock(0, "", env.readinessLines(mode)...) + pc.resourceBlock("this", attrs)
				w.WriteConfig(t, config)
				env.sim.ClearRequests()
				diags, ok, out := readinessRun(t, w, "apply", "-auto-approve")
				severity := map[string]string{"enforce": "error", "warn": "warning"}[mode]
				want := []string{severity + ": War Room Would Not Open: " + c.check}
				if got := readinessSummaries(diags); !slices.Equal(got, want) {
					t.Fatalf("%s: diagnostics %v, want %v:\n%s", mode, got, want, out)
				}
				d := diags[0].Diagnostic
				if !strings.Contains(d.Snippet.Code, c.attr) || d.Detail == "" {
					t.Errorf("%s: the diagnostic points at %q, want %s, and says %q", mode, d.Snippet.Code, c.attr, d.Detail)
				}
				writes := env.writes()
				switch {
				case mode == "enforce" && (ok || len(writes) > 0):
					t.Fatalf("enforce: the apply succeeded or wrote %v:\n%s", writes, out)
				case mode == "warn" && (!ok || len(writes) != 1):
					t.Fatalf("warn: the apply failed or wrote %v, want the create:\n%s", writes, out)
				}
			}
		})
	}
}

// A platform that gives no verdict is a warning in both modes, never an error about a value:
// WeCom's 60020 (this machine is not among the app's trusted IPs), DingTalk throttling after the
// retries, Lark unreachable.
func TestCLI_Readiness_NoVerdictIsAWarning(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	env.acceptAll(t)
	for _, f := range []simulator.Fault{
		{PathPrefix: simulator.PlatformPrefix + "wecom/cgi-bin/agent/", Status: 200, Code: "60020", Message: "not allow to access from your ip"},
		{PathPrefix: simulator.PlatformPrefix + "dingtalk/v1.0/im/", Status: 429, Code: "Throttling", Message: "too many requests"},
	} {
		if err := env.sim.InjectFault(f); err != nil {
			t.Fatal(err)
		}
	}
	closed := "http://" + testkit.ClosedPort(t)
	lines := func(mode string) []string {
		endpoints := strings.Replace(env.platformEndpointsLine(), env.url+simulator.PlatformPrefix+"lark", closed, 1)
		return []string{fmt.Sprintf("war_room_readiness = %q", mode), endpoints, "max_retries = 1"}
	}
	want := []string{"warning: War Room Readiness Not Known: wecom.agent", "warning: War Room Readiness Not Known: dingtalk.group_template",
		"warning: War Room Readiness Not Known: lark.credentials"}
	w := newCLIWorkspace(t)
	for _, mode := range []string{"warn", "enforce"} {
		w.WriteConfig(t, readinessConfig(env, lines(mode), nil))
		diags, ok, out := readinessRun(t, w, "plan", "-detailed-exitcode")
		if got := readinessSummaries(diags); !ok || !sameElements(got, want) {
			t.Fatalf("%s: the plan failed or reported %v, want %v:\n%s", mode, got, want, out)
		}
		for _, d := range diags {
			if strings.Contains(d.Diagnostic.Summary, "wecom") && !strings.Contains(d.Diagnostic.Detail, "COC's own addresses must be trusted too") {
				t.Errorf("60020 does not say that COC's addresses must be trusted too: %s", d.Diagnostic.Detail)
			}
		}
	}
}

// sameElements compares two lists in any order.
func sameElements(a, b []string) bool {
	return slices.Equal(slices.Sorted(slices.Values(a)), slices.Sorted(slices.Values(b)))
}

// A secret reset on the platform after the apply: COC and the configuration still hold the old
// one, and the plan has nothing to change, yet it reports the secret the platform now refuses, on
// the argument that sets it (the write-only one for DingTalk here).
func TestCLI_Readiness_SecretResetOnThePlatform(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	env.acceptAll(t)
	dingtalk := platformCaseFor(platforms.DingTalk)
	attrs := map[platforms.AppType]map[string]string{platforms.DingTalk: dingtalk.writeOnly("1", 1)}
	w := newCLIWorkspace(t)
	w.WriteConfig(t, readinessConfig(env, env.readinessLines("warn"), attrs))
	if diags, ok, out := readinessRun(t, w, "apply", "-auto-approve"); !ok || len(diags) > 0 {
		t.Fatalf("the apply failed or reported %v:\n%s", readinessSummaries(diags), out)
	}
	for _, pc := range platformCases {
		if err := env.sim.AcceptAppCredentials(simulator.AppCredentials{AppType: pc.appType, AppID: pc.ids[0], Secrets: pc.taggedSecrets("reset"), Reset: true}); err != nil {
			t.Fatal(err)
		}
	}
	diags, ok, out := readinessRun(t, w, "plan", "-detailed-exitcode")
	if !ok || !strings.Contains(out, `"changes":{"add":0,"change":0,"import":0,"remove":0`) {
		t.Fatalf("want an empty plan:\n%s", out)
	}
	pointsAt := map[string]string{}
	for _, d := range diags {
		pointsAt[d.Diagnostic.Severity+": "+d.Diagnostic.Summary] = d.Diagnostic.Snippet.Code
	}
	// Each platform's first secret, by its check; DingTalk's is write-only. WeCom has a second.
	want := map[string]string{"warning: War Room Would Not Open: wecom.address_book_credentials": "address_book_key"}
	for _, pc := range platformCases {
		attr := pc.platform.SecretNames()[0]
		if _, ok := attrs[pc.appType][attr+writeOnlySuffix]; ok {
			attr += writeOnlySuffix
		}
		want["warning: War Room Would Not Open: "+string(pc.appType)+".credentials"] = attr
	}
	for summary, attr := range want {
		if code, ok := pointsAt[summary]; !ok || !strings.Contains(code, attr) {
			t.Errorf("%q points at %q, want %s", summary, code, attr)
		}
	}
	if len(diags) != len(want) {
		t.Errorf("diagnostics %v, want %d", readinessSummaries(diags), len(want))
	}
}

// Off, the default, makes no platform call, even with the platforms configured; only the check
// that needs none warns (Lark's service_id other than app_id). COC_WAR_ROOM_READINESS turns the
// checks on where the block is silent; a value that is not a mode fails on the argument.
func TestCLI_Readiness_OffAndTheVariable(t *testing.T) {
	t.Parallel()
	env := newSimEnv(t, 1)
	env.acceptAll(t)
	lark := platformCaseFor(platforms.Lark)
	attrs := map[platforms.AppType]map[string]string{platforms.Lark: {"service_id": strconv.Quote(lark.ids[1])}}
	config := readinessConfig(env, []string{env.platformEndpointsLine()}, attrs)
	w := newCLIWorkspace(t)
	w.WriteConfig(t, config)
	diags, ok, out := readinessRun(t, w, "apply", "-auto-approve")
	if want := []string{"warning: War Room Would Not Open: lark.service_id"}; !ok || !slices.Equal(readinessSummaries(diags), want) {
		t.Fatalf("off: the apply failed or reported %v, want %v:\n%s", readinessSummaries(diags), want, out)
	}
	if calls := env.platformCalls(); len(calls) > 0 {
		t.Fatalf("off made platform calls: %v", calls)
	}

	for _, tc := range []struct {
		value string
		want  []string
	}{
		{"warn", []string{"warning: War Room Would Not Open: lark.service_id"}},
		{"enforce", []string{"error: War Room Would Not Open: lark.service_id"}},
	} {
		env.sim.ClearRequests()
		wv := newCLIWorkspace(t, "COC_WAR_ROOM_READINESS="+tc.value)
		wv.WriteConfig(t, config)
		diags, _, out := readinessRun(t, wv, "plan")
		if got := readinessSummaries(diags); !slices.Equal(got, tc.want) || len(env.platformCalls()) == 0 {
			t.Errorf("COC_WAR_ROOM_READINESS=%s: diagnostics %v and calls %v, want %v and calls:\n%s", tc.value, got, env.platformCalls(), tc.want, out)
		}
	}
	wrong := newCLIWorkspace(t, "COC_WAR_ROOM_READINESS=strict")
	wrong.WriteConfig(t, config)
	out, err := wrong.Run("plan", "-input=false", "-no-color")
	if err == nil || !strings.Contains(out, "COC_WAR_ROOM_READINESS") || !strings.Contains(out, "war_room_readiness") || !strings.Contains(out, `"strict"`) {
		t.Errorf("COC_WAR_ROOM_READINESS=strict: want an error naming the variable and the argument, got %v:\n%s", err, out)
	}
}
