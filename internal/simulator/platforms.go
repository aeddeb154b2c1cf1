package simulator

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cocops/terraform-provider-coc/internal/hwhttp"
	"github.com/cocops/terraform-provider-coc/internal/platforms"
)

// The token calls of the platforms (internal/platforms), which the provider makes to check an app's
// credentials (internal/appcheck), answered as each platform answers them, under PlatformPrefix
// and the app type: a provider configured with platform_endpoints.lark = "<url>/_platforms/lark"
// (and so on for each app type) asks the simulator. The token call accepts the apps AcceptAppCredentials
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
	AppType platforms.AppType `json:"app_type"`
	AppID   string            `json:"app_id"`
	Secrets []string          `json:"secrets"`
	// Reset makes Secrets replace the secrets registered before, as resetting them on the
	// platform does: the old ones are refused from then on.
	Reset bool `json:"reset,omitempty"`
	// What the platform's read-only calls report about the app (platform_apps.go), for the app's
	// own platform only; left out, the app is ready to open war rooms, or as a previous
	// registration said.
	WeCom    *WeComApp    `json:"wecom,omitempty"`
	DingTalk *DingTalkApp `json:"dingtalk,omitempty"`
	Lark     *LarkApp     `json:"lark,omitempty"`
}

// AcceptAppCredentials registers an app with its platform, or more secrets of an app already
// registered, or, with Reset, its only secrets. Only the secrets' fingerprints are kept.
func (s *Simulator) AcceptAppCredentials(c AppCredentials) error {
	if _, err := platforms.For(c.AppType); err != nil {
		return err
	}
	if c.AppID == "" || len(c.Secrets) == 0 {
		return errors.New("app credentials need app_type, app_id and secrets")
	}
	state, stateSet, err := c.readState()
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	key := platformApp{c.AppType, c.AppID}
	if stateSet {
		s.platformAppStates[key] = state
	}
	if s.platformApps[key] == nil || c.Reset {
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
	appType platforms.AppType
	appID   string
}

// Tokens live two hours on every simulated platform.
const platformTokenLifetime = 7200

// tokenDialect is what the simulator answers on a platform's behalf beyond its description
// (internal/platforms): a call without an app ID or a secret, and the codes of the faults it
// injects there (throttling, a malformed call, a failure). A platform's entry in tokenDialects is
// the simulator's one row for it.
type tokenDialect struct {
	Missing                             platforms.Answer
	Throttled, ClientFault, ServerFault string
}

// tokenDialects are the simulated platforms' dialects, by app type.
var tokenDialects = map[platforms.AppType]tokenDialect{
	platforms.WeCom: {Missing: platforms.Answer{Status: http.StatusOK, Code: "41004", Message: "corpsecret missing"},
		Throttled: "45009", ClientFault: "40035", ServerFault: "-1"},
	platforms.DingTalk: {Missing: platforms.Answer{Status: http.StatusBadRequest, Code: "MissingappSecret", Message: "appSecret is mandatory for this action."},
		Throttled: "Throttling", ClientFault: "InvalidParameter", ServerFault: "ServiceUnavailable"},
	platforms.Lark: {Missing: platforms.Answer{Status: http.StatusOK, Code: "10003", Message: "invalid param"},
		Throttled: "99991400", ClientFault: "10003", ServerFault: "10001"},
}

// tokenAnswers words the answers of a platform's token call from its description and its
// dialect: a token, a refusal, and the injected faults.
type tokenAnswers struct {
	tc platforms.TokenCall
	tokenDialect
}

// members renders a code and a message as the platform's answer members.
func (a tokenAnswers) members(code, message string) map[string]any {
	out := map[string]any{}
	if code != "" && a.tc.Code != "" {
		out[a.tc.Code] = code
		if n, err := strconv.Atoi(code); err == nil && a.tc.NumericCode {
			out[a.tc.Code] = n
		}
	}
	if message != "" && a.tc.Message != "" {
		out[a.tc.Message] = message
	}
	return out
}

func (a tokenAnswers) issue(token string) map[string]any {
	out := a.members(a.tc.SuccessCode, "ok")
	if a.tc.SuccessCode == "" {
		out = map[string]any{}
	}
	out[a.tc.Token], out[a.tc.Lifetime] = token, platformTokenLifetime
	return out
}

// refusal is the platform's answer to a refused call; requestID goes in the member that carries
// it, if the platform has one.
func (a tokenAnswers) refusal(answer platforms.Answer, requestID string) (int, any) {
	out := a.members(answer.Code, answer.Message)
	if a.tc.RequestID != "" {
		out[a.tc.RequestID] = requestID
	}
	return answer.Status, out
}

func (a tokenAnswers) dialect() dialect {
	return dialect{throttled: a.Throttled, clientFault: a.ClientFault, serverFault: a.ServerFault,
		write: func(w http.ResponseWriter, e *apiError) {
			status, body := a.refusal(platforms.Answer{Status: e.status, Code: e.code, Message: e.message()}, w.Header().Get(hwhttp.HeaderRequestID))
			writeJSON(w, status, body)
		}}
}

func (s *Simulator) routePlatforms() {
	for _, p := range platforms.All() {
		tc, answers := p.Token, tokenAnswers{p.Token, tokenDialects[p.AppType]}
		d := answers.dialect()
		d.credentials = func(r *http.Request, body []byte) (string, string) {
			_, secret := presented(tc, r, body)
			if tc.Method != http.MethodGet {
				return r.URL.RawQuery, secret
			}
			query := r.URL.Query()
			query.Del(tc.SecretField)
			return query.Encode(), secret
		}
		s.mux.HandleFunc(tc.Method+" "+PlatformPrefix+string(p.AppType)+tc.Path, s.serve(d, func(c *call) (int, any) {
			requestID := c.header.Get(hwhttp.HeaderRequestID)
			if tc.RequestIDHeader != "" {
				c.header.Set(tc.RequestIDHeader, requestID)
			}
			appID, secret := presented(tc, c.r, c.body)
			accepted, known := s.platformApps[platformApp{p.AppType, appID}]
			switch {
			case appID == "" || secret == "":
				return answers.refusal(answers.Missing, requestID)
			case !known:
				return answers.refusal(tc.UnknownApp, requestID)
			case !accepted[Fingerprint(secret)]:
				return answers.refusal(tc.WrongSecret, requestID)
			}
			return http.StatusOK, answers.issue(s.issuePlatformToken(platformApp{p.AppType, appID}))
		}))
	}
}

// presented reads the app ID and the secret a token call presents: in the query of a GET, the
// JSON body of a POST.
func presented(tc platforms.TokenCall, r *http.Request, body []byte) (appID, secret string) {
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
