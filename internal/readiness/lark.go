package readiness

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
)

// Lark (https://open.feishu.cn/document/client-docs/bot-v3/obtain-bot-info and
// https://open.feishu.cn/document/application-v6/scope/list), the token as Authorization: Bearer:
//   - POST /open-apis/auth/v3/tenant_access_token/internal (10003: app_id unknown);
//   - GET /open-apis/bot/v3/info: ready when bot.activate_status is 2 (enabled); an empty bot
//     is the bot capability off; a non-empty bot.ip_white_list is no verdict, since COC's
//     addresses must be in it;
//   - GET /open-apis/application/v6/scopes: ready when data.scopes[] grants (grant_status 1)
//     im:chat or im:chat:create; 212100 is an app not installed;
//   - service_id equal to app_id: the platform's description says so (Local).
var larkChecks = checks{
	probes: []probe{
		{name: "lark.credentials", values: []string{"app_secret", "app_id"}, run: larkApp},
	},
}

// larkChatScopes are the scopes that let an app create group chats.
var larkChatScopes = []string{"im:chat", "im:chat:create"}

// larkActivateStatus says what bot.activate_status means, as Lark documents it.
var larkActivateStatus = map[int]string{
	0: "initialised, waiting for the tenant to install it", 1: "disabled by the tenant", 3: "installed, waiting to be enabled",
	4: "upgraded, waiting to be enabled", 5: "disabled: its licence expired", 6: "disabled: the Lark plan expired or was downgraded",
}

// larkApp checks the credentials, the bot and the chat scopes: 3 calls.
func larkApp(ctx context.Context, s *session, values map[string]string) []Verdict {
	const check = "lark.credentials"
	token, v := s.token(ctx, check, values["app_id"], values["app_secret"], "app_secret", func(r *appcheck.Rejection) Verdict {
		if r.Code == "10003" {
			return s.verdict(check, "app_id", NotReady, fmt.Sprintf("Lark does not know the app %s.", values["app_id"]), s.where("app_id"))
		}
		return s.verdict(check, "app_secret", NotReady, fmt.Sprintf("Lark refused app_secret for the app %s.", values["app_id"]), s.secretFix("app_secret"))
	})
	if token == "" {
		return []Verdict{v}
	}
	header := http.Header{}
	header.Set("Authorization", "Bearer "+token)
	return append(append([]Verdict{v}, larkBot(ctx, s, header, token)...), larkScopes(ctx, s, header, token))
}

func larkBot(ctx context.Context, s *session, header http.Header, token string) []Verdict {
	const check = "lark.bot"
	a, v, ok := s.read(ctx, check, "app_id", appcheck.Read{Method: http.MethodGet, Path: "/open-apis/bot/v3/info", Header: header, Secrets: []string{token}}, nil)
	if !ok {
		return []Verdict{v}
	}
	var bot struct {
		ActivateStatus *int     `json:"activate_status"`
		IPWhiteList    []string `json:"ip_white_list"`
	}
	if raw := bytes.TrimSpace(a.Members["bot"]); len(raw) == 0 || string(raw) == "null" || string(raw) == "{}" {
		return []Verdict{s.verdict(check, "app_id", NotReady, "The app's bot capability is off: COC opens war rooms with the app's bot.",
			"Lark developer console, the app, Features > Bot: add the bot, then release a version under Version Management & Release.")}
	}
	if !member(a, "bot", &bot) || bot.ActivateStatus == nil {
		return []Verdict{s.verdict(check, "app_id", CouldNotTell, "Lark gave no verdict: its answer lacks bot.activate_status.", "Plan again.")}
	}
	var out []Verdict
	if status := *bot.ActivateStatus; status != 2 {
		meaning, known := larkActivateStatus[status]
		if !known {
			meaning = "not enabled"
		}
		out = append(out, s.verdict(check, "app_id", NotReady, fmt.Sprintf("The app is %s (bot.activate_status %d).", meaning, status),
			"Lark developer console, the app, Version Management & Release: release a version; the tenant's admin enables it in the admin console."))
	} else {
		out = append(out, s.verdict(check, "app_id", Ready, "The app's bot is enabled and released.", ""))
	}
	if len(bot.IPWhiteList) > 0 {
		return append(out, s.verdict("lark.ip_allow_list", "app_id", CouldNotTell,
			fmt.Sprintf("The app accepts calls only from the %d addresses of its IP allow-list; whether COC's are among them cannot be read.", len(bot.IPWhiteList)),
			"Make sure COC's addresses are in the allow-list: Lark developer console, the app, Security Settings > IP Allowlist."))
	}
	return append(out, s.verdict("lark.ip_allow_list", "app_id", Ready, "The app accepts calls from any address.", ""))
}

func larkScopes(ctx context.Context, s *session, header http.Header, token string) Verdict {
	const check = "lark.scopes"
	a, v, ok := s.read(ctx, check, "app_id", appcheck.Read{Method: http.MethodGet, Path: "/open-apis/application/v6/scopes", Header: header, Secrets: []string{token}},
		func(a appcheck.Answer) (Verdict, bool) {
			if a.Code != "212100" {
				return Verdict{}, false
			}
			return s.verdict(check, "app_id", NotReady, "The app is not installed in the tenant.",
				"Lark developer console, the app, Version Management & Release: release a version, and have the tenant's admin install it."), true
		})
	if !ok {
		return v
	}
	var data struct {
		Scopes []struct {
			Name        string `json:"scope_name"`
			GrantStatus int    `json:"grant_status"`
		} `json:"scopes"`
	}
	if !member(a, "data", &data) {
		return s.verdict(check, "app_id", CouldNotTell, "Lark gave no verdict: its answer has no data.scopes.", "Plan again.")
	}
	requested := false
	for _, scope := range data.Scopes {
		if slices.Contains(larkChatScopes, scope.Name) {
			if scope.GrantStatus == 1 {
				return s.verdict(check, "app_id", Ready, fmt.Sprintf("The app may create group chats (%s).", scope.Name), "")
			}
			requested = true
		}
	}
	finding := "The app lacks the permission to create group chats (im:chat or im:chat:create)."
	if requested {
		finding = "The app asked for the permission to create group chats (im:chat or im:chat:create), and the tenant has not granted it."
	}
	return s.verdict(check, "app_id", NotReady, finding,
		"Lark developer console, the app, Permissions & Scopes: add im:chat:create, release a version, and have the tenant's admin approve it.")
}
