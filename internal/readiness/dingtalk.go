package readiness

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
)

// DingTalk (https://open.dingtalk.com/document/development/get-a-list-of-all-applications-inside-the-enterprise,
// and the im_1.0 ListGroupTemplatesByOrgId call of DingTalk's SDK), the token in the header
// x-acs-dingtalk-access-token:
//   - POST /v1.0/oauth2/accessToken with client_id and client_secret;
//   - GET /v1.0/im/chats/sceneGroups/templates/lists?pageNumber=N&pageSize=20: ready when
//     sceneGroupDetailModels[].templateId lists group_template_id, following pages until one
//     lists fewer than 20, at most 10;
//   - GET /v1.0/microApp/allInnerApps: ready when appList[].agentId lists service_id with
//     appStatus 1 (0 is disabled, which the documentation adds to the check).
//
// robot_id has no read-only check: the scene group's robot is not the app's.
var dingTalkChecks = checks{
	probes: []probe{
		{name: "dingtalk.credentials", values: []string{"client_secret", "client_id", "group_template_id", "service_id"}, run: dingTalkApp},
	},
	// DingTalk throttles with HTTP 403 and these codes, and answers systemBusy when busy.
	busy: []string{"Forbidden.AccessDenied.QpsLimitForApi", "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "systemBusy"},
}

const (
	templatePageSize = 20
	maxTemplatePages = 10
)

// dingTalkPermissionDenied is DingTalk's code for a token without the permission a call needs.
const dingTalkPermissionDenied = "Forbidden.AccessDenied.AccessTokenPermissionDenied"

// dingTalkApp checks the credentials, group_template_id and service_id: 3 calls, and one more
// for each further page of templates.
func dingTalkApp(ctx context.Context, s *session, values map[string]string) []Verdict {
	const check = "dingtalk.credentials"
	token, v := s.token(ctx, check, values["client_id"], values["client_secret"], "client_secret", func(*appcheck.Rejection) Verdict {
		return s.verdict(check, "client_secret", NotReady,
			fmt.Sprintf("DingTalk refused client_id %s with this client_secret (its answer does not say which of the two is wrong).", values["client_id"]),
			s.secretFix("client_secret")+" "+s.where("client_id"))
	})
	if token == "" {
		return []Verdict{v}
	}
	header := http.Header{}
	header.Set("x-acs-dingtalk-access-token", token)
	return []Verdict{v, dingTalkTemplate(ctx, s, header, token, values["group_template_id"]), dingTalkService(ctx, s, header, token, values["service_id"])}
}

// permissionFix judges DingTalk's refusal of a read for lack of a permission.
func permissionFix(s *session, check, attribute, permission string) func(appcheck.Answer) (Verdict, bool) {
	return func(a appcheck.Answer) (Verdict, bool) {
		if a.Code != dingTalkPermissionDenied {
			return Verdict{}, false
		}
		return s.verdict(check, attribute, CouldNotTell, "DingTalk does not let the app read what this check reads.",
			"To check "+attribute+", grant the app the permission "+permission+": DingTalk developer console, the app, Permissions."), true
	}
}

func dingTalkTemplate(ctx context.Context, s *session, header http.Header, token, templateID string) Verdict {
	const check = "dingtalk.group_template"
	listed := 0
	for page := 1; page <= maxTemplatePages; page++ {
		a, v, ok := s.read(ctx, check, "group_template_id", appcheck.Read{
			Method: http.MethodGet, Path: "/v1.0/im/chats/sceneGroups/templates/lists", Header: header, Secrets: []string{token},
			Query: url.Values{"pageNumber": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(templatePageSize)}},
		}, permissionFix(s, check, "group_template_id", "to read the organisation's scene groups"))
		if !ok {
			return v
		}
		var models []struct {
			TemplateID string `json:"templateId"`
		}
		// An organisation without templates may be answered without the list, but not without
		// success.
		var success bool
		answered := member(a, "sceneGroupDetailModels", &models) || member(a, "success", &success) && success
		if !answered {
			return s.verdict(check, "group_template_id", CouldNotTell, "DingTalk gave no verdict: its answer lists no sceneGroupDetailModels.", "Plan again.")
		}
		for _, m := range models {
			if m.TemplateID == templateID {
				return s.verdict(check, "group_template_id", Ready, fmt.Sprintf("group_template_id %s is a scene-group template of the organisation.", templateID), "")
			}
		}
		listed += len(models)
		if len(models) < templatePageSize {
			return s.verdict(check, "group_template_id", NotReady,
				fmt.Sprintf("group_template_id %s is not among the organisation's %d scene-group templates.", templateID, listed), s.where("group_template_id"))
		}
	}
	return s.verdict(check, "group_template_id", CouldNotTell,
		fmt.Sprintf("group_template_id %s is not among the first %d scene-group templates, and the check reads no more.", templateID, listed),
		"Check group_template_id on DingTalk: "+s.where("group_template_id"))
}

func dingTalkService(ctx context.Context, s *session, header http.Header, token, agentID string) Verdict {
	const check = "dingtalk.service"
	a, v, ok := s.read(ctx, check, "service_id", appcheck.Read{
		Method: http.MethodGet, Path: "/v1.0/microApp/allInnerApps", Header: header, Secrets: []string{token},
	}, permissionFix(s, check, "service_id", "qyapi_get_microapp_list"))
	if !ok {
		return v
	}
	var apps []struct {
		AgentID   json.RawMessage `json:"agentId"`
		AppStatus *int            `json:"appStatus"`
	}
	if !member(a, "appList", &apps) {
		return s.verdict(check, "service_id", CouldNotTell, "DingTalk gave no verdict: its answer has no appList.", "Plan again.")
	}
	for _, app := range apps {
		if strings.Trim(string(app.AgentID), `"`) != agentID {
			continue
		}
		if app.AppStatus != nil && *app.AppStatus == 0 {
			return s.verdict(check, "service_id", NotReady, fmt.Sprintf("The app %s is disabled (appStatus 0).", agentID),
				"DingTalk admin console, Workbench > App Management: enable the app.")
		}
		return s.verdict(check, "service_id", Ready, fmt.Sprintf("service_id %s is an app of the organisation.", agentID), "")
	}
	return s.verdict(check, "service_id", NotReady,
		fmt.Sprintf("service_id %s is not the AgentId of any of the organisation's %d apps.", agentID, len(apps)), s.where("service_id"))
}
