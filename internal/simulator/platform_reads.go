package simulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The read-only calls the war-room readiness checks make (internal/readiness), answered as each
// platform answers them, for the apps AcceptAppCredentials registered, with the access tokens
// their token calls issued: WeCom's agent/get and user/list_id, DingTalk's scene-group template
// list and app list, Lark's bot info and scopes. What they report is the app's
// platformAppState. Fault rules apply to them as to every call, under their paths.

// platformRead is one read a platform serves.
type platformRead struct {
	appType      platforms.AppType
	method, path string
	serve        func(q readCall) (int, any)
}

var platformReads = []platformRead{
	{platforms.WeCom, http.MethodGet, "/cgi-bin/agent/get", weComAgent},
	{platforms.WeCom, http.MethodPost, "/cgi-bin/user/list_id", weComUserIDs},
	{platforms.DingTalk, http.MethodGet, "/v1.0/im/chats/sceneGroups/templates/lists", dingTalkTemplates},
	{platforms.DingTalk, http.MethodGet, "/v1.0/microApp/allInnerApps", dingTalkInnerApps},
	{platforms.Lark, http.MethodGet, "/open-apis/bot/v3/info", larkBot},
	{platforms.Lark, http.MethodGet, "/open-apis/application/v6/scopes", larkScopes},
}

// readAuth is how a platform's reads present the access token, and how it answers a read
// without one or with one it did not issue.
type readAuth struct {
	token            func(r *http.Request) string
	missing, invalid platforms.Answer
}

var readAuths = map[platforms.AppType]readAuth{
	platforms.WeCom: {
		token:   func(r *http.Request) string { return r.URL.Query().Get("access_token") },
		missing: platforms.Answer{Status: http.StatusOK, Code: "41001", Message: "access_token missing"},
		invalid: platforms.Answer{Status: http.StatusOK, Code: "40014", Message: "invalid access_token"},
	},
	platforms.DingTalk: {
		token:   func(r *http.Request) string { return r.Header.Get("x-acs-dingtalk-access-token") },
		missing: platforms.Answer{Status: http.StatusBadRequest, Code: "MissingxAcsDingtalkAccessToken", Message: "x-acs-dingtalk-access-token is mandatory for this action."},
		invalid: platforms.Answer{Status: http.StatusUnauthorized, Code: "InvalidAuthentication", Message: "不合法的access_token"},
	},
	platforms.Lark: {
		token: func(r *http.Request) string {
			token, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
			return token
		},
		missing: platforms.Answer{Status: http.StatusBadRequest, Code: "99991661", Message: "Missing access token for authorization. Please make a request with token attached."},
		invalid: platforms.Answer{Status: http.StatusBadRequest, Code: "99991663", Message: "Invalid access token for authorization. Please make a request with token attached."},
	},
}

// readCall is a read whose token the platform issued, as its handler sees it.
type readCall struct {
	*call
	app       platformApp
	state     platformAppState
	answers   tokenAnswers
	requestID string
}

// refuse is the platform's error answer.
func (q readCall) refuse(status int, code, message string) (int, any) {
	return q.answers.refusal(platforms.Answer{Status: status, Code: code, Message: message}, q.requestID)
}

// success starts the platform's success answer: its success code, if it has one.
func (q readCall) success() map[string]any {
	if q.answers.tc.SuccessCode == "" {
		return map[string]any{}
	}
	return q.answers.members(q.answers.tc.SuccessCode, "ok")
}

// issuePlatformToken issues an access token for app, remembered by its fingerprint. It must be
// called with s.mu held.
func (s *Simulator) issuePlatformToken(app platformApp) string {
	token := PlatformTokenPrefix + s.random(tokenChars, 40)
	s.platformTokens[Fingerprint(token)] = app
	return token
}

func (s *Simulator) routePlatformReads() {
	for _, rd := range platformReads {
		p := platforms.MustFor(rd.appType)
		answers, auth := tokenAnswers{p.Token, tokenDialects[rd.appType]}, readAuths[rd.appType]
		d := answers.dialect()
		// The request log keeps the query without the access token WeCom's reads carry there.
		d.credentials = func(r *http.Request, _ []byte) (string, string) {
			query := r.URL.Query()
			query.Del("access_token")
			return query.Encode(), ""
		}
		s.mux.HandleFunc(rd.method+" "+PlatformPrefix+string(rd.appType)+rd.path, s.serve(d, func(c *call) (int, any) {
			requestID := c.header.Get(hwhttp.HeaderRequestID)
			if p.Token.RequestIDHeader != "" {
				c.header.Set(p.Token.RequestIDHeader, requestID)
			}
			token := auth.token(c.r)
			app, issued := s.platformTokens[Fingerprint(token)]
			switch {
			case token == "":
				return answers.refusal(auth.missing, requestID)
			case !issued || app.appType != rd.appType:
				return answers.refusal(auth.invalid, requestID)
			}
			return rd.serve(readCall{call: c, app: app, state: s.platformAppStates[app], answers: answers, requestID: requestID})
		}))
	}
}

// appName is the name the platforms report for every app.
const appName = "COC war rooms"

func weComAgent(q readCall) (int, any) {
	agentID, w := q.r.URL.Query().Get("agentid"), q.state.wecom
	switch {
	case agentID == "":
		return q.refuse(http.StatusOK, "41011", "agentid missing")
	case !digitsOnly.MatchString(agentID):
		return q.refuse(http.StatusOK, "40056", "invalid agentid")
	case w.AgentID != "" && agentID != w.AgentID:
		return q.refuse(http.StatusOK, "301002", "no privilege to access this agent")
	}
	departments := w.VisibleDepartments
	if departments == nil {
		departments = []int{1}
	}
	closed := 0
	if w.Disabled {
		closed = 1
	}
	out := q.success()
	out["agentid"] = json.Number(agentID)
	out["name"], out["square_logo_url"], out["description"], out["redirect_domain"], out["home_url"] = appName, "", "", "", ""
	out["allow_userinfos"] = map[string]any{"user": []any{}}
	out["allow_partys"] = map[string]any{"partyid": departments}
	out["allow_tags"] = map[string]any{"tagid": []int{}}
	out["close"], out["report_location_flag"], out["isreportenter"] = closed, 0, 0
	return http.StatusOK, out
}

func weComUserIDs(q readCall) (int, any) {
	var page struct {
		Cursor string `json:"cursor"`
		Limit  *int   `json:"limit"`
	}
	switch {
	case len(q.body) > 0 && json.Unmarshal(q.body, &page) != nil:
		return q.refuse(http.StatusOK, "47001", "data format error")
	case page.Limit != nil && (*page.Limit < 1 || *page.Limit > 10000):
		return q.refuse(http.StatusOK, "40058", "invalid limit: must be from 1 to 10000")
	case q.state.wecom.AddressBookAPIOff:
		return q.refuse(http.StatusOK, "48002", "api forbidden")
	}
	out := q.success()
	out["next_cursor"] = ""
	out["dept_user"] = []map[string]any{{"userid": "zhangsan", "department": 1}}
	return http.StatusOK, out
}

func dingTalkTemplates(q readCall) (int, any) {
	query := q.r.URL.Query()
	number, err := strconv.Atoi(query.Get("pageNumber"))
	if err != nil || number < 1 {
		return q.refuse(http.StatusBadRequest, "InvalidParameter", "pageNumber is mandatory and must be 1 or more")
	}
	size := 20
	if v := query.Get("pageSize"); v != "" {
		if size, err = strconv.Atoi(v); err != nil || size < 1 || size > 100 {
			return q.refuse(http.StatusBadRequest, "InvalidParameter", "pageSize must be from 1 to 100")
		}
	}
	templates := q.state.dingtalk.SceneGroupTemplates
	if templates == nil {
		templates = []string{example(platforms.DingTalk, "group_template_id")}
	}
	models := []map[string]any{}
	for _, id := range templates[min((number-1)*size, len(templates)):min(number*size, len(templates))] {
		models = append(models, map[string]any{"templateId": id, "templateName": "Template " + id, "description": "",
			"icon": "", "gmtCreate": "2026-01-02 03:04:05", "msgOpen": true})
	}
	return http.StatusOK, map[string]any{"count": len(templates), "sceneGroupDetailModels": models, "success": true}
}

func dingTalkInnerApps(q readCall) (int, any) {
	d := q.state.dingtalk
	agentID := d.AgentID
	if agentID == "" {
		agentID = example(platforms.DingTalk, "service_id")
	}
	status := 1
	if d.Disabled {
		status = 0
	}
	app := map[string]any{"agentId": json.Number(agentID), "name": appName, "desc": "", "icon": "", "homepageLink": "",
		"pcHomepageLink": "", "ompLink": "", "appId": 0, "appStatus": status, "developType": 0,
		"robotInfo": map[string]any{"name": appName, "robotCode": q.app.appID}, "unifiedAppId": ""}
	return http.StatusOK, map[string]any{"appList": []any{app}}
}

func larkBot(q readCall) (int, any) {
	l := q.state.lark
	out := q.success()
	if l.BotOff {
		out["bot"] = map[string]any{}
		return http.StatusOK, out
	}
	status := 2
	if l.BotActivateStatus != nil {
		status = *l.BotActivateStatus
	}
	allowed := l.IPAllowList
	if allowed == nil {
		allowed = []string{}
	}
	out["bot"] = map[string]any{"activate_status": status, "app_name": appName, "avatar_url": "",
		"ip_white_list": allowed, "open_id": "ou_" + Fingerprint(q.app.appID)[:32]}
	return http.StatusOK, out
}

func larkScopes(q readCall) (int, any) {
	granted := q.state.lark.Scopes
	if granted == nil {
		granted = map[string]int{"im:chat:create": 1}
	}
	scopes := []map[string]any{}
	for _, name := range slices.Sorted(maps.Keys(granted)) {
		scopes = append(scopes, map[string]any{"scope_name": name, "grant_status": granted[name]})
	}
	out := q.success()
	out["msg"] = "success"
	out["data"] = map[string]any{"scopes": scopes}
	return http.StatusOK, out
}
