package appcheck

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cocops/terraform-provider-coc/internal/coc"
)

// Call is how a platform takes an app's credentials in exchange for an access token: the
// request this package sends and the simulator serves.
type Call struct {
	Method string
	// Path is joined to the platform's endpoint.
	Path string
	// AppIDField and SecretField name the app ID and the secret: query parameters of a GET,
	// members of a POST's JSON body.
	AppIDField, SecretField string
}

// platform describes one platform's token call: what it asks and how it answers. The check is
// the same mechanism for all three; only these words differ.
type platform struct {
	name     string
	endpoint string
	call     Call
	// The answer's members: the token, the error code and message, and a request ID (the
	// member or the header that carries it), each empty when the platform has none.
	token, code, message, requestID, requestIDHeader string
	// busy are codes with which the platform asks to try again later: no verdict on the
	// credentials. Throttling by HTTP status (429) is retried before it gets here.
	busy []string
}

// platforms are the token calls of the platform documentation:
//   - WeCom: GET /cgi-bin/gettoken?corpid=&corpsecret= answers HTTP 200 with errcode 0 and
//     access_token, or another errcode: 40013 for an unknown corpid, 40001 for a wrong secret;
//     -1 is "system busy" and 45009 a call rate above the limit.
//   - DingTalk: POST /v1.0/oauth2/accessToken {"appKey","appSecret"} answers 200 with
//     accessToken, or a 4xx {"code","message","requestid"}: invalidClientIdOrSecret.
//   - Lark: POST /open-apis/auth/v3/tenant_access_token/internal {"app_id","app_secret"}
//     answers code 0 with tenant_access_token, or another code (HTTP 200 or 400, the log ID in
//     X-Tt-Logid): 10003 for an unknown app_id, 10014 for a wrong secret; 99991400 is
//     throttling.
var platforms = map[coc.AppType]platform{
	coc.WeCom: {
		name: "WeCom", endpoint: "https://qyapi.weixin.qq.com",
		call:  Call{Method: http.MethodGet, Path: "/cgi-bin/gettoken", AppIDField: "corpid", SecretField: "corpsecret"},
		token: "access_token", code: "errcode", message: "errmsg",
		busy: []string{"-1", "45009"},
	},
	coc.DingTalk: {
		name: "DingTalk", endpoint: "https://api.dingtalk.com",
		call:  Call{Method: http.MethodPost, Path: "/v1.0/oauth2/accessToken", AppIDField: "appKey", SecretField: "appSecret"},
		token: "accessToken", code: "code", message: "message", requestID: "requestid",
	},
	coc.Lark: {
		name: "Lark", endpoint: "https://open.feishu.cn",
		call:  Call{Method: http.MethodPost, Path: "/open-apis/auth/v3/tenant_access_token/internal", AppIDField: "app_id", SecretField: "app_secret"},
		token: "tenant_access_token", code: "code", message: "msg", requestIDHeader: "X-Tt-Logid",
		busy: []string{"99991400"},
	},
}

// TokenCall returns the token call of an app type's platform.
func TokenCall(t coc.AppType) Call { return mustPlatform(t).call }

// DefaultEndpoint returns the base URL of an app type's platform, as used in China for Lark
// (Feishu); Lark outside China is https://open.larksuite.com.
func DefaultEndpoint(t coc.AppType) string { return mustPlatform(t).endpoint }

func mustPlatform(t coc.AppType) platform {
	p, ok := platforms[t]
	if !ok {
		panic("appcheck: no token call for app type " + string(t)) // every coc.Platform has one; tested
	}
	return p
}

// outcome is what an answer says about the credentials.
type outcome int

const (
	accepted outcome = iota
	rejected
	// undecided answers say nothing about the credentials: the platform is busy, or answered
	// what the provider does not understand.
	undecided
)

// verdict is one answer, judged.
type verdict struct {
	outcome
	code, message, requestID string
	// reason explains an undecided answer.
	reason string
}

// judge reads an answer. An answer counts as a rejection only when the platform names an error
// code that is not about being busy, with HTTP 200 or a 4xx other than 429: proxies and gateways
// answer the rest.
func (p platform) judge(status int, header http.Header, body []byte) verdict {
	var members map[string]json.RawMessage
	if json.Unmarshal(body, &members) != nil {
		return verdict{outcome: undecided, reason: "the answer is not the platform's JSON" + describeStatus(status)}
	}
	v := verdict{code: text(members[p.code]), message: text(members[p.message]), requestID: header.Get(p.requestIDHeader)}
	if p.requestID != "" {
		v.requestID = text(members[p.requestID])
	}
	refused := v.code != "" && v.code != "0"
	switch {
	case status == http.StatusOK && !refused && text(members[p.token]) != "":
		v.outcome = accepted
	case refused && slices.Contains(p.busy, v.code):
		v.outcome, v.reason = undecided, "the platform is busy: "+v.describe()+describeStatus(status)
	case refused && (status == http.StatusOK || status >= 400 && status < 500 && status != http.StatusTooManyRequests):
		v.outcome = rejected
	case refused:
		v.outcome, v.reason = undecided, v.describe()+describeStatus(status)
	default:
		v.outcome, v.reason = undecided, "the answer has neither a token nor an error code"+describeStatus(status)
	}
	return v
}

// describe renders the platform's code and message.
func (v verdict) describe() string {
	out := "code " + v.code
	if v.message != "" {
		out += ", " + v.message
	}
	return out
}

func describeStatus(status int) string {
	switch {
	case status >= 300 && status < 400:
		return " (HTTP " + strconv.Itoa(status) + ": a redirect, which the provider does not follow)"
	case status != http.StatusOK:
		return " (HTTP " + strconv.Itoa(status) + ")"
	}
	return ""
}

// text renders a JSON string or number as text; anything else, or nothing, as "".
func text(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return strings.TrimSpace(s)
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}
