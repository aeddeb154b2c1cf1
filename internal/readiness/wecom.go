package readiness

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"

	"github.com/cocops/terraform-provider-coc/internal/appcheck"
)

// WeCom (agent/get: https://open.work.weixin.qq.com/api/doc/90000/90135/90227; user/list_id:
// https://developer.work.weixin.qq.com/document/path/96021; appchat/create:
// https://work.weixin.qq.com/api/doc/90000/90135/90245; error codes:
// https://work.weixin.qq.com/api/doc/90000/90139/90313):
//   - gettoken with enterprise_key, then GET /cgi-bin/agent/get?agentid={service_id}: errcode 0
//     proves the agent is the app of that secret ("企业仅可获取当前凭证对应的应用"); ready when
//     close is 0 and allow_partys.partyid holds 1, the root department, which appchat/create
//     requires ("应用的可见范围必须是根部门"); 40056 (invalid agentid) and 301002 (no privilege on
//     the app) mean service_id is another app's; 50003 (app disabled, in the error codes) is a
//     disabled app too, and an answer without allow_partys (optional there) a visible range
//     without departments;
//   - gettoken with address_book_key, then POST /cgi-bin/user/list_id {"limit": 1}: 48002 (no
//     privilege on the API) means the address book's API access is off, or the key is not its
//     secret;
//   - 60020 on any call: the caller's IP address is not trusted; -1, 45009 and 45033 are
//     busy.
var weComChecks = checks{
	probes: []probe{
		{name: "wecom.credentials", values: []string{"enterprise_key", "enterprise_id", "service_id"}, run: weComApp},
		{name: "wecom.address_book_credentials", values: []string{"address_book_key", "enterprise_id"}, run: weComAddressBook},
	},
	busy:         []string{"45033"},
	ipNotTrusted: "60020",
	trustIPs:     "WeCom admin console, App Management > Apps, select the app, Trusted IP",
}

// weComRefusal judges gettoken's refusal of enterprise_id with the secret of attribute.
func weComRefusal(s *session, check, attribute string, values map[string]string) func(*appcheck.Rejection) Verdict {
	return func(r *appcheck.Rejection) Verdict {
		if r.Code == "40013" {
			return s.verdict(check, "enterprise_id", NotReady,
				fmt.Sprintf("WeCom does not know the enterprise %s.", values["enterprise_id"]), s.where("enterprise_id"))
		}
		return s.verdict(check, attribute, NotReady,
			fmt.Sprintf("WeCom refused %s for the enterprise %s.", attribute, values["enterprise_id"]), s.secretFix(attribute))
	}
}

// weComApp checks enterprise_key, and that service_id is its app's agent, enabled and visible
// to the whole organisation: 2 calls.
func weComApp(ctx context.Context, s *session, values map[string]string) []Verdict {
	const check = "wecom.credentials"
	token, v := s.token(ctx, check, values["enterprise_id"], values["enterprise_key"], "enterprise_key", weComRefusal(s, check, "enterprise_key", values))
	if token == "" {
		return []Verdict{v}
	}
	out := []Verdict{v}
	agentID := values["service_id"]
	a, v, ok := s.read(ctx, "wecom.agent", "service_id", appcheck.Read{
		Method: http.MethodGet, Path: "/cgi-bin/agent/get",
		Query: url.Values{"access_token": {token}, "agentid": {agentID}}, Secrets: []string{token},
	}, func(a appcheck.Answer) (Verdict, bool) {
		switch a.Code {
		case "40056", "301002":
			return s.verdict("wecom.agent", "service_id", NotReady,
				fmt.Sprintf("service_id %s is not the agent ID of the app whose secret enterprise_key is.", agentID), s.where("service_id")), true
		case "50003":
			return weComDisabled(s, agentID), true
		}
		return Verdict{}, false
	})
	if !ok {
		return append(out, v)
	}
	out = append(out, s.verdict("wecom.agent", "service_id", Ready, fmt.Sprintf("service_id %s is the agent ID of the app of enterprise_key.", agentID), ""))
	var closed int
	switch {
	case !member(a, "close", &closed):
		out = append(out, s.verdict("wecom.agent_enabled", "service_id", CouldNotTell, "WeCom gave no verdict: its answer lacks close.", "Plan again."))
	case closed != 0:
		out = append(out, weComDisabled(s, agentID))
	default:
		out = append(out, s.verdict("wecom.agent_enabled", "service_id", Ready, "The app is enabled.", ""))
	}
	// allow_partys is left out of an app visible to no department.
	var visible struct {
		PartyIDs []int64 `json:"partyid"`
	}
	_ = member(a, "allow_partys", &visible)
	if !slices.Contains(visible.PartyIDs, 1) {
		out = append(out, s.verdict("wecom.agent_visibility", "service_id", NotReady,
			fmt.Sprintf("The app %s is not visible to the root department (its visible departments: %v): WeCom lets an app create group chats only when its visible range is the root department.", agentID, visible.PartyIDs),
			"WeCom admin console, App Management > Apps, select the app, Visible To: choose the top department, the whole organisation."))
	} else {
		out = append(out, s.verdict("wecom.agent_visibility", "service_id", Ready, "The app is visible to the whole organisation.", ""))
	}
	return out
}

func weComDisabled(s *session, agentID string) Verdict {
	return s.verdict("wecom.agent_enabled", "service_id", NotReady, fmt.Sprintf("The app %s is disabled.", agentID),
		"WeCom admin console, App Management > Apps, select the app and enable it.")
}

// weComAddressBook checks address_book_key, and that its API access is on: 2 calls.
func weComAddressBook(ctx context.Context, s *session, values map[string]string) []Verdict {
	const check = "wecom.address_book_credentials"
	token, v := s.token(ctx, check, values["enterprise_id"], values["address_book_key"], "address_book_key", weComRefusal(s, check, "address_book_key", values))
	if token == "" {
		return []Verdict{v}
	}
	out := []Verdict{v}
	_, v, ok := s.read(ctx, "wecom.address_book", "address_book_key", appcheck.Read{
		Method: http.MethodPost, Path: "/cgi-bin/user/list_id",
		Query: url.Values{"access_token": {token}}, Body: map[string]int{"limit": 1}, Secrets: []string{token},
	}, func(a appcheck.Answer) (Verdict, bool) {
		if a.Code != "48002" {
			return Verdict{}, false
		}
		return s.verdict("wecom.address_book", "address_book_key", NotReady,
			"WeCom does not let address_book_key read the address book: its API access is off, or the key is not the address book's secret. COC invites the responders from the address book.",
			"WeCom admin console, Security and Management > Management Tools > Contacts Sync: turn API access on, and take address_book_key from that page's Secret."), true
	})
	if !ok {
		return append(out, v)
	}
	return append(out, s.verdict("wecom.address_book", "address_book_key", Ready, "address_book_key reads the address book.", ""))
}
