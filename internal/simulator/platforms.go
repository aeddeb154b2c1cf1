package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
	"github.com/cocops/terraform-provider-coc/internal/coc"
	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
)

// The token calls of WeCom, DingTalk and Lark, which the provider makes to check an app's
// credentials (internal/appcheck), answered as each platform answers them, under PlatformPrefix
// and the app type: a provider configured with platform_endpoints.wecom = "<url>/_platforms/wecom"
// (and so on) asks the simulator. The token call accepts the apps AcceptAppCredentials
// registered, with their secrets.

// PlatformPrefix is where the simulated platforms live, each under its app type.
const PlatformPrefix = "/_platforms/"

// PlatformTokenPrefix starts every token the simulated platforms issue, so that a test can look
// for one that leaked.
const PlatformTokenPrefix = "simtoken-"

// AppCredentials are an app's ID on its platform and the secrets its token call accepts with
// it. A WeCom enterprise (corpid) has several: the app's secret (enterprise_key) and the
// contacts secret (address_book_key).
type AppCredentials struct {
	AppType coc.AppType `json:"app_type"`
	AppID   string      `json:"app_id"`
	Secrets []string    `json:"secrets"`
}

// AcceptAppCredentials registers an app with its platform, or more secrets of an app already
// registered. Only the secrets' fingerprints are kept.
func (s *Simulator) AcceptAppCredentials(c AppCredentials) error {
	if _, err := coc.PlatformFor(c.AppType); err != nil {
		return err
	}
	if c.AppID == "" || len(c.Secrets) == 0 {
		return errors.New("app credentials need app_type, app_id and secrets")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := platformApp{c.AppType, c.AppID}
	if s.platformApps[key] == nil {
		s.platformApps[key] = map[string]bool{}
	}
	for _, secret := range c.Secrets {
		if secret == "" {
			return errors.New("app credentials need non-empty secrets")
		}
		s.platformApps[key][Fingerprint(secret)] = true
	}
	return nil
}

// platformApp is a registered app: its app type and its ID on the platform.
type platformApp struct {
	appType coc.AppType
	appID   string
}

// tokenRefusal is why a token call is refused.
type tokenRefusal int

const (
	missingCredentials tokenRefusal = iota
	unknownApp
	wrongSecret
)

// simPlatform is how a platform words its answers: a token, a refusal, and (in its dialect) the
// injected faults.
type simPlatform struct {
	dialect dialect
	issue   func(token string) any
	refuse  func(c *call, why tokenRefusal) (int, any)
	// requestIDHeader, if any, carries the request ID in every answer.
	requestIDHeader string
}

// Tokens live two hours on all three platforms.
const platformTokenLifetime = 7200

// wecomAnswer is every answer of WeCom's gettoken, which is HTTP 200 but for gateway faults.
type wecomAnswer struct {
	ErrCode     int    `json:"errcode"`
	ErrMsg      string `json:"errmsg"`
	AccessToken string `json:"access_token,omitempty"`
	ExpiresIn   int    `json:"expires_in,omitempty"`
}

type dingtalkToken struct {
	AccessToken string `json:"accessToken"`
	ExpireIn    int    `json:"expireIn"`
}

type dingtalkError struct {
	Code      string `json:"code"`
	Message   string `json:"message"`
	RequestID string `json:"requestid"`
}

var wecomRefusals = map[tokenRefusal]wecomAnswer{
	missingCredentials: {ErrCode: 41004, ErrMsg: "corpsecret missing"},
	unknownApp:         {ErrCode: 40013, ErrMsg: "invalid corpid"},
	wrongSecret:        {ErrCode: 40001, ErrMsg: "invalid credential"},
}

// larkAnswer is every answer of Lark's tenant_access_token/internal.
type larkAnswer struct {
	Code              int    `json:"code"`
	Msg               string `json:"msg"`
	TenantAccessToken string `json:"tenant_access_token,omitempty"`
	Expire            int    `json:"expire,omitempty"`
}

// larkLogID is the header that carries Lark's request ID.
const larkLogID = "X-Tt-Logid"

var simPlatforms = map[coc.AppType]simPlatform{
	coc.WeCom: {
		dialect: dialect{throttled: "45009", clientFault: "40035", serverFault: "-1", write: func(w http.ResponseWriter, e *apiError) {
			code, _ := strconv.Atoi(e.code)
			writeJSON(w, e.status, wecomAnswer{ErrCode: code, ErrMsg: e.message()})
		}},
		issue: func(token string) any {
			return wecomAnswer{ErrMsg: "ok", AccessToken: token, ExpiresIn: platformTokenLifetime}
		},
		// WeCom's messages end with a hint (its request ID), the caller's address and a link.
		refuse: func(c *call, why tokenRefusal) (int, any) {
			e := wecomRefusals[why]
			ip, _, _ := net.SplitHostPort(c.r.RemoteAddr)
			return http.StatusOK, wecomAnswer{ErrCode: e.ErrCode, ErrMsg: fmt.Sprintf("%s, hint: [%s], from ip: %s, more info at "+
				"https://open.work.weixin.qq.com/devtool/query?e=%d", e.ErrMsg, c.header.Get(hwhttp.HeaderRequestID), ip, e.ErrCode)}
		},
	},
	coc.DingTalk: {
		dialect: dialect{throttled: "Throttling", clientFault: "InvalidParameter", serverFault: "ServiceUnavailable", write: func(w http.ResponseWriter, e *apiError) {
			writeJSON(w, e.status, dingtalkError{Code: e.code, Message: e.message(), RequestID: w.Header().Get(hwhttp.HeaderRequestID)})
		}},
		issue: func(token string) any { return dingtalkToken{AccessToken: token, ExpireIn: platformTokenLifetime} },
		refuse: func(c *call, why tokenRefusal) (int, any) {
			answer := dingtalkError{Code: "invalidClientIdOrSecret", Message: "无效的clientId或者clientSecret", RequestID: c.header.Get(hwhttp.HeaderRequestID)}
			if why == missingCredentials {
				answer.Code, answer.Message = "MissingappSecret", "appSecret is mandatory for this action."
			}
			return http.StatusBadRequest, answer
		},
	},
	coc.Lark: {
		dialect: dialect{throttled: "99991400", clientFault: "10003", serverFault: "10001", write: func(w http.ResponseWriter, e *apiError) {
			code, _ := strconv.Atoi(e.code)
			w.Header().Set(larkLogID, w.Header().Get(hwhttp.HeaderRequestID))
			writeJSON(w, e.status, larkAnswer{Code: code, Msg: e.message()})
		}},
		issue: func(token string) any {
			return larkAnswer{Msg: "ok", TenantAccessToken: token, Expire: platformTokenLifetime}
		},
		// Lark answers an unknown app_id with HTTP 200, a wrong secret with 400.
		refuse: func(_ *call, why tokenRefusal) (int, any) {
			if why == wrongSecret {
				return http.StatusBadRequest, larkAnswer{Code: 10014, Msg: "app secret invalid"}
			}
			return http.StatusOK, larkAnswer{Code: 10003, Msg: "invalid param"}
		},
		requestIDHeader: larkLogID,
	},
}

func (s *Simulator) routePlatforms() {
	for t, sp := range simPlatforms {
		tc := appcheck.TokenCall(t)
		d := sp.dialect
		d.credentials = func(r *http.Request, body []byte) (string, string) {
			_, secret := presented(tc, r, body)
			if tc.Method != http.MethodGet {
				return r.URL.RawQuery, secret
			}
			query := r.URL.Query()
			query.Del(tc.SecretField)
			return query.Encode(), secret
		}
		s.mux.HandleFunc(tc.Method+" "+PlatformPrefix+string(t)+tc.Path, s.serve(d, func(c *call) (int, any) {
			if sp.requestIDHeader != "" {
				c.header.Set(sp.requestIDHeader, c.header.Get(hwhttp.HeaderRequestID))
			}
			appID, secret := presented(tc, c.r, c.body)
			accepted, known := s.platformApps[platformApp{t, appID}]
			switch {
			case appID == "" || secret == "":
				return sp.refuse(c, missingCredentials)
			case !known:
				return sp.refuse(c, unknownApp)
			case !accepted[Fingerprint(secret)]:
				return sp.refuse(c, wrongSecret)
			}
			return http.StatusOK, sp.issue(PlatformTokenPrefix + s.random(tokenChars, 40))
		}))
	}
}

// presented reads the app ID and the secret a token call presents: in the query of a GET, the
// JSON body of a POST.
func presented(tc appcheck.Call, r *http.Request, body []byte) (appID, secret string) {
	var fields url.Values
	if tc.Method == http.MethodGet {
		fields = r.URL.Query()
	} else {
		var members map[string]any
		_ = json.Unmarshal(body, &members) // unreadable presents nothing
		fields = url.Values{}
		for _, name := range []string{tc.AppIDField, tc.SecretField} {
			if v, ok := members[name].(string); ok {
				fields.Set(name, v)
			}
		}
	}
	return fields.Get(tc.AppIDField), fields.Get(tc.SecretField)
}
